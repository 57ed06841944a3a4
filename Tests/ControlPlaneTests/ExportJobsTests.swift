import Foundation
import NIOCore
import Recording
import Testing
@testable import ControlPlane

@Suite(.serialized) struct ExportJobsTests {
    let ffmpeg = QuietTool.ffmpeg
    private func run(_ tool: String, _ arguments: [String]) throws -> Int32 { try QuietTool.run(tool, arguments) }

    private enum Submitted { case success(String), failure(String) }

    private func submit(_ jobs: ExportJobs, _ json: String) -> Submitted {
        switch jobs.submit(Array(json.utf8)) {
        case .success(let job): return .success(job.id)
        case .failure(let error): return .failure(error.message)
        }
    }

    private func waitForEnd(_ jobs: ExportJobs, _ id: String) -> String {
        for _ in 0..<300 {
            if let state = jobs.job(id: id)?.state, ["done", "failed", "cancelled"].contains(state) { return state }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return jobs.job(id: id)?.state ?? "missing"
    }

    @Test func validatesWaitsForTheLiveRecordingAndExportsDVRAndClipItems() throws {
        guard let ffmpeg else { return }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("export-jobs-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("sources"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let flv = root.appendingPathComponent("live.flv").path
        #expect(try run(ffmpeg, ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine",
                                 "-t", "6", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-f", "flv", flv]) == 0)
        #expect(try run(ffmpeg, ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25", "-f", "lavfi", "-i", "sine",
                                 "-t", "3", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
                                 root.appendingPathComponent("sources/opener.mp4").path]) == 0)

        // A live recording with the first 3 s of the FLV.
        var tags = ByteBuffer(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: flv))))
        tags.moveReaderIndex(forwardBy: DVRTag.fileHeader.count)
        let files = LocalDVRFileSystem()
        let writer = try DVRWriter(files: files, mediaRoot: root.path, stream: "livestream", now: Date())
        try writer.startSession(now: Date())
        func feed(until limit: UInt32) throws {
            while case .tag(let frame, let size) = DVRTag.parse(tags), frame.timestamp < limit {
                tags.moveReaderIndex(forwardBy: size)
                try writer.write(frame, now: Date())
            }
            try writer.commit(now: Date())
        }
        try feed(until: 3000)

        let jobs = ExportJobs(mediaRoot: root.path, pollInterval: 0.1)
        let bad = [
            #"{"output": "../x.f4v", "items": [{"source": "dvr", "name": "livestream", "start": 0, "end": 1}]}"#,
            #"{"output": "a/b.f4v", "items": [{"source": "dvr", "name": "livestream", "start": 0, "end": 1}]}"#,
            #"{"output": "x.f4v", "items": [{"source": "dvr", "name": "nosuch", "start": 0, "end": 1}]}"#,
            #"{"output": "x.f4v", "items": [{"source": "clip", "name": "opener.mp4", "start": 2, "end": 1}]}"#,
            #"{"output": "x.f4v", "items": [{"source": "clip", "name": "opener.mp4", "start": 0, "end": 30}]}"#,
            #"{"output": "x.f4v", "items": [{"source": "clip", "name": "../live.flv", "start": 0, "end": 1}]}"#,
            #"{"output": "x.f4v"}"#,
        ]
        for body in bad {
            guard case .failure = submit(jobs, body) else { Issue.record("accepted: \(body)"); continue }
        }

        let body = #"{"output": "goal-1.f4v", "items": [{"source": "dvr", "name": "livestream", "start": 1.023, "end": 2.023},"#
            + #"{"source": "clip", "name": "opener.mp4", "start": 0, "end": 1}, {"source": "dvr", "name": "livestream", "start": 3.543, "end": 5.023}]}"#
        guard case .success(let id) = submit(jobs, body) else { Issue.record("rejected"); return }
        #expect(jobs.job(id: id)?.state == "waiting", "the out-point 5.023 is not recorded yet")
        Thread.sleep(forTimeInterval: 0.3)
        #expect(jobs.job(id: id)?.state == "waiting")
        try feed(until: 7000)
        try writer.close(now: Date())
        #expect(waitForEnd(jobs, id) == "done", "\(String(describing: jobs.job(id: id)))")
        let job = try #require(jobs.job(id: id))
        #expect(abs((job.duration ?? 0) - 3.48) < 0.1, "\(job)")
        #expect(job.items.allSatisfy { $0.actualStart != nil && $0.actualEnd != nil })
        let exports = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("exports").path)
        #expect(exports == ["goal-1.f4v"], "no temporary file left")
        #expect(job.size == files.fileSize(root.appendingPathComponent("exports/goal-1.f4v").path))
        #expect(try run(ffmpeg, ["-v", "error", "-xerror", "-i", root.appendingPathComponent("exports/goal-1.f4v").path, "-f", "null", "-"]) == 0)

        // The same output again is refused; a finished recording's end is a hard limit.
        guard case .failure(let exists) = submit(jobs, body) else { Issue.record("existing output accepted"); return }
        #expect(exists.contains("exists"))
        guard case .failure = submit(jobs, #"{"output": "late.f4v", "items": [{"source": "dvr", "name": "livestream", "start": 0, "end": 60}]}"#) else {
            Issue.record("beyond a finished recording accepted"); return
        }
        #expect(jobs.jobs().count == 1)
    }
}
