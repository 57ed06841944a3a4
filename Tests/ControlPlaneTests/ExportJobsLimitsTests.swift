import Foundation
import NIOCore
import Recording
import Testing
@testable import ControlPlane

/// Export jobs are bounded (issue 9): items per job, jobs pending (429 beyond), and jobs waiting
/// for a far-future out-point hold no worker, so they do not starve other exports. Odd names and
/// symbolic links out of `sources/` are refused with a reason.
@Suite(.serialized) struct ExportJobsLimitsTests {
    let ffmpeg = QuietTool.ffmpeg
    private func run(_ tool: String, _ arguments: [String]) throws -> Int32 { try QuietTool.run(tool, arguments) }

    private func submit(_ jobs: ExportJobs, _ json: String) -> Result<String, APIErrorSummary> {
        switch jobs.submit(Array(json.utf8)) {
        case .success(let job): return .success(job.id)
        case .failure(let error): return .failure(APIErrorSummary(status: error.status, code: error.code, message: error.message))
        }
    }

    struct APIErrorSummary: Error { var status: Int; var code: String; var message: String }

    private func waitFor(_ jobs: ExportJobs, _ id: String, _ states: Set<String>, timeout: TimeInterval = 30,
                         tick: () -> Void = {}) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            tick()
            if let state = jobs.job(id: id)?.state, states.contains(state) { return state }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return jobs.job(id: id)?.state ?? "missing"
    }

    @Test func waitingJobsHoldNoWorkerAndPendingJobsAreBounded() throws {
        guard let ffmpeg else { return }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("export-limits-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("sources"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let flv = root.appendingPathComponent("sources/clip.flv").path
        #expect(try run(ffmpeg, ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-f", "lavfi", "-i", "sine",
                                 "-t", "3", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-f", "flv", flv]) == 0)
        // A live recording (never closed) with the clip's 3 s.
        var tags = ByteBuffer(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: flv))))
        tags.moveReaderIndex(forwardBy: DVRTag.fileHeader.count)
        let writer = try DVRWriter(files: LocalDVRFileSystem(), mediaRoot: root.path, stream: "live", now: Date())
        try writer.startSession(now: Date())
        while case .tag(let frame, let size) = DVRTag.parse(tags) {
            tags.moveReaderIndex(forwardBy: size)
            try writer.write(frame, now: Date())
        }
        try writer.commit(now: Date())

        let jobs = ExportJobs(mediaRoot: root.path, limits: .init(itemsPerJob: 5, pendingJobs: 4, concurrency: 1), pollInterval: 0.05)
        let item = #"{"source": "clip", "name": "clip.flv", "start": 0, "end": 0.5}"#
        guard case .failure(let tooMany) = submit(jobs, #"{"output": "a.f4v", "items": [\#(Array(repeating: item, count: 6).joined(separator: ","))]}"#) else {
            Issue.record("6 items accepted with a limit of 5"); return
        }
        #expect(tooMany.status == 400 && tooMany.message.contains("at most 5 items"))

        // Three jobs wait for an out-point an hour away; with one worker, a clip job still runs.
        var waiting: [String] = []
        for index in 0..<3 {
            guard case .success(let id) = submit(jobs, #"{"output": "w\#(index).f4v", "items": [{"source": "dvr", "name": "live", "start": 0, "end": 3600}]}"#) else {
                Issue.record("waiting job refused"); return
            }
            waiting.append(id)
        }
        #expect(waiting.allSatisfy { jobs.job(id: $0)?.state == "waiting" })
        guard case .success(let clipJob) = submit(jobs, #"{"output": "clips.f4v", "items": [\#(Array(repeating: item, count: 5).joined(separator: ","))]}"#) else {
            Issue.record("clip job refused"); return
        }
        // The recording stays live: its writer commits while the test waits.
        let keepLive = { _ = try? writer.commit(now: Date()) }
        #expect(waitFor(jobs, clipJob, ["done", "failed"], tick: keepLive) == "done", "\(String(describing: jobs.job(id: clipJob)))")
        #expect(abs((jobs.job(id: clipJob)?.duration ?? 0) - 2.5) < 0.2)
        #expect(waiting.allSatisfy { jobs.job(id: $0)?.state == "waiting" })

        keepLive()
        // 3 waiting + 1 more = 4 pending: the fifth is refused with 429, until one is cancelled.
        guard case .success(let fourth) = submit(jobs, #"{"output": "w3.f4v", "items": [{"source": "dvr", "name": "live", "start": 0, "end": 3600}]}"#) else {
            Issue.record("fourth pending job refused"); return
        }
        guard case .failure(let busy) = submit(jobs, #"{"output": "x.f4v", "items": [\#(item)]}"#) else {
            Issue.record("a fifth pending job accepted"); return
        }
        #expect(busy.status == 429 && busy.code == "too-many-jobs")
        #expect(jobs.cancel(id: fourth)?.state == "cancelled")
        guard case .success(let after) = submit(jobs, #"{"output": "x.f4v", "items": [\#(item)]}"#) else {
            Issue.record("refused after a cancel"); return
        }
        #expect(waitFor(jobs, after, ["done", "failed"], tick: keepLive) == "done")
        for id in waiting { _ = jobs.cancel(id: id) }
        #expect(waiting.allSatisfy { jobs.job(id: $0)?.state == "cancelled" })
        let exports = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("exports").path).sorted()
        #expect(exports == ["clips.f4v", "x.f4v"], "nothing left by waiting or cancelled jobs")
        try writer.close(now: Date())
    }

    @Test func oddNamesAndLinksOutOfSourcesAreRefused() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("export-names-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("sources"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        _ = FileManager.default.createFile(atPath: root.appendingPathComponent("secret.flv").path, contents: Data("FLV".utf8))
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("sources/escape.flv").path,
                                                   withDestinationPath: root.appendingPathComponent("secret.flv").path)
        let jobs = ExportJobs(mediaRoot: root.path)
        let cases: [(String, String)] = [
            ("escape.flv", "symbolic link"),
            ("clip\\u0000.flv", "NUL"),
            ("/etc/passwd.flv", "path separator"),
            (".hidden.flv", "starts with '.'"),
            (String(repeating: "n", count: 300) + ".flv", "bytes long"),
        ]
        for (name, reason) in cases {
            guard case .failure(let error) = submit(jobs, #"{"output": "o.f4v", "items": [{"source": "clip", "name": "\#(name)", "start": 0, "end": 1}]}"#) else {
                Issue.record("accepted \(name)"); continue
            }
            #expect(error.status == 400)
            #expect(error.message.contains(reason), "\(error.message)")
        }
        guard case .failure(let stream) = submit(jobs, #"{"output": "o.f4v", "items": [{"source": "dvr", "name": "live\u0001", "start": 0, "end": 1}]}"#) else {
            Issue.record("control character in a stream name accepted"); return
        }
        #expect(stream.status == 400 && stream.message.contains("control character"))
        guard case .failure(let output) = submit(jobs, #"{"output": "o\u0000.f4v", "items": [{"source": "clip", "name": "x.flv", "start": 0, "end": 1}]}"#) else {
            Issue.record("NUL in the output name accepted"); return
        }
        #expect(output.status == 400)
    }
}
