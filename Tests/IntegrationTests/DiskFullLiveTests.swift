import Foundation
import Testing

/// A media root on a size-limited tmpfs that fills while recording (issue 9, item 7): relaying
/// continues, the DVR state says "degraded" (API and log), what was recorded stays listable and
/// exportable, recording resumes when space returns, and an export into the full disk fails with
/// a clear error and leaves nothing in `exports/`. Needs root (mount); skipped otherwise.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct DiskFullLiveTests {
    private func api(_ url: String, _ arguments: [String] = []) throws -> [String: Any] {
        ControlAPILiveTests.json(try ControlAPILiveTests.curl(url, arguments).body)
    }

    private func recording(_ base: String) throws -> [String: Any] {
        (try api("\(base)/dvr")["recordings"] as? [[String: Any]] ?? []).first { $0["stream"] as? String == "livestream" } ?? [:]
    }

    private func export(_ base: String, output: String, end: Double) throws -> [String: Any] {
        let body = #"{"output": "\#(output)", "items": [{"source": "dvr", "name": "livestream", "start": 0, "end": \#(end)}]}"#
        let created = try ControlAPILiveTests.curl("\(base)/exports", ["-X", "POST", "--data", body])
        try #require(created.status == 202, "\(created.body)")
        let id = try #require(ControlAPILiveTests.json(created.body)["id"] as? String)
        var job: [String: Any] = [:]
        try waitUntil("export \(output) finished", timeout: 30) {
            job = try api("\(base)/exports/\(id)")
            return ["done", "failed", "cancelled"].contains(job["state"] as? String ?? "")
        }
        return job
    }

    @Test func aFullDiskDegradesRecordingButNotRelayingAndRecordingResumes() throws {
        guard getuid() == 0 else { return }
        let directory = TestDirectory.make("disk-full")
        let media = directory.appendingPathComponent("media")
        try FileManager.default.createDirectory(at: media, withIntermediateDirectories: true)
        let mounted = try Tools.run("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", media.path], timeout: 10)
        try #require(mounted.status == 0, "\(mounted.stderr)")
        defer { _ = try? Tools.run("umount", ["-l", media.path], timeout: 10) }
        try FileManager.default.createDirectory(at: media.appendingPathComponent("exports"), withIntermediateDirectories: true)

        let node = try MediaRootNode.start(media: media, directory: directory)
        defer { node.stop() }
        let (relay, rtmpPort, control, base) = (node.relay, node.rtmpPort, node.control, node.api)
        let url = RelayFixtures.url(port: rtmpPort)
        let publisher = try RelayFixtures.startPublisher(url: url, seconds: 90, size: "640x360")
        defer { publisher.stop() }
        try RelayFixtures.waitForStream(url: url)
        try waitUntil("2 s recorded", timeout: 20) { (try recording(base)["duration"] as? Double ?? 0) >= 2 }

        // Fill the disk: everything but a few hundred KiB goes to a filler file.
        let filler = media.appendingPathComponent("filler").path
        let free = try #require(try FileManager.default.attributesOfFileSystem(forPath: media.path)[.systemFreeSize] as? Int)
        try #require(FileManager.default.createFile(atPath: filler, contents: Data(count: max(0, free - (300 << 10)))))
        var state = ""
        try waitUntil("DVR degraded", timeout: 30) {
            state = try recording(base)["state"] as? String ?? ""
            return state.hasPrefix("degraded")
        }
        #expect(state.contains("No space left on device"), "\(state)")
        let streams = try api("\(base)/streams")["streams"] as? [[String: Any]] ?? []
        #expect((streams.first?["recordingState"] as? String)?.hasPrefix("degraded") == true, "\(streams)")
        #expect(relay.output.contains("degraded"), "logged")

        // Relaying continues: the stream still plays.
        try RelayFixtures.waitForStream(url: url, timeout: 15)
        // What was recorded still lists; an export into the full disk fails cleanly.
        let recordedWhileFull = try recording(base)["duration"] as? Double ?? 0
        #expect(recordedWhileFull >= 2)
        let failed = try export(base, output: "full.mp4", end: 1.5)
        #expect(failed["state"] as? String == "failed")
        #expect((failed["error"] as? String)?.contains("No space left on device") == true, "\(failed)")
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: media.appendingPathComponent("exports").path)) ?? []
        #expect(leftovers.isEmpty, "no partial or temporary file: \(leftovers)")

        // Space returns: recording resumes, and the part before the fault exports and decodes.
        try FileManager.default.removeItem(atPath: filler)
        try waitUntil("recording resumed", timeout: 30) {
            let now = try recording(base)
            return now["state"] as? String == "recording" && (now["duration"] as? Double ?? 0) > recordedWhileFull + 2
        }
        // Retries on the full disk left no empty segment files behind.
        let recordingDirectory = media.appendingPathComponent("dvr/livestream").path
        let segments = try FileManager.default.contentsOfDirectory(atPath: recordingDirectory).filter { $0.hasPrefix("seg-") }
        for segment in segments {
            let size = try FileManager.default.attributesOfItem(atPath: recordingDirectory + "/" + segment)[.size] as? Int ?? 0
            #expect(size > 13, "\(segment) holds \(size) bytes")
        }
        let done = try export(base, output: "before-fault.mp4", end: 1.5)
        #expect(done["state"] as? String == "done", "\(done)")
        let exported = media.appendingPathComponent("exports/before-fault.mp4").path
        let decode = try Tools.run("ffmpeg", ["-v", "error", "-i", exported, "-f", "null", "-"], timeout: 60)
        #expect(decode.status == 0 && decode.stderr.isEmpty, "\(decode.stderr)")
        #expect(relay.process.isRunning && control.process.isRunning)
        publisher.stop()
        node.stop()
    }
}
