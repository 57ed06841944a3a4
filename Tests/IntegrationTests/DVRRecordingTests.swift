import Foundation
import Testing

/// Live tests of DVR recording on an origin relay: files readable while written, SIGKILL safety.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct DVRRecordingTests {
    private func decodeErrors(_ file: String) throws -> String {
        let result = try Tools.run("ffmpeg", ["-v", "error", "-i", file, "-f", "null", "-"], timeout: 60)
        return result.status == 0 ? result.stderr : "exit \(result.status): \(result.stderr)"
    }

    private func duration(_ file: String) throws -> Double {
        let probe = try Tools.run("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file], timeout: 30)
        return Double(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// Seconds of video in a file by its packets (a live FLV's metadata duration is the encoder's plan).
    private func videoSeconds(_ file: String) throws -> Double { try RelayFixtures.packets(of: file, stream: "v").last?.dts ?? 0 }

    @Test func recordsWhileLiveAndSurvivesSIGKILLOfTheRelay() throws {
        let media = TestDirectory.make("dvr-media")
        let recording = media.appendingPathComponent("dvr/livestream")
        let first = recording.appendingPathComponent("seg-00000001.flv").path
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--media", media.path])
        defer { relay.stop() }
        let url = RelayFixtures.url(port: port)
        let publisher = try RelayFixtures.startPublisher(url: url, seconds: 30)
        defer { publisher.stop() }
        try RelayFixtures.waitForStream(url: url)

        // Readable while it is being written: the open segment is a valid FLV that grows.
        try waitUntil("3 s recorded", timeout: 15) { try videoSeconds(first) >= 3 }
        #expect(FileManager.default.fileExists(atPath: recording.appendingPathComponent("recording.json").path))

        relay.signal(SIGKILL)
        #expect(relay.waitForExit(timeout: 5))
        publisher.stop()
        let recordedBeforeKill = try videoSeconds(first)
        #expect(recordedBeforeKill >= 3)

        // After a restart the same recording continues in a new segment, the old one intact.
        let (restarted, port2) = try RelayFixtures.startRelay(extra: ["--media", media.path])
        defer { restarted.stop() }
        let second = try RelayFixtures.startPublisher(url: RelayFixtures.url(port: port2), seconds: 3, name: "ffmpeg-after-restart")
        defer { second.stop() }
        #expect(second.waitForExit(timeout: 20))
        try waitUntil("the recording stopped", timeout: 10) { restarted.output.contains("state=stopped") }
        #expect(restarted.stop() == 0)

        let segment2 = recording.appendingPathComponent("seg-00000002.flv").path
        #expect(try decodeErrors(first) == "")
        #expect(try decodeErrors(segment2) == "")
        #expect(try videoSeconds(segment2) - videoSeconds(first) >= 2.5, "the restart continues the recording's clock")
        let indexSize = try #require(try FileManager.default.attributesOfItem(atPath: recording.appendingPathComponent("index.dvx").path)[.size] as? Int)
        #expect(indexSize > 0 && indexSize % 32 == 0)
        let info = try String(contentsOf: recording.appendingPathComponent("recording.json"), encoding: .utf8)
        #expect(info.contains("\"stream\":\"livestream\""))

        // The control plane lists the recording and exports a range from before the kill.
        let httpPort = FreePort.next()
        let control = try ControlAPILiveTests.startControl(socket: media.appendingPathComponent("none.sock").path, httpPort: httpPort,
                                                           extra: ["--media", media.path])
        defer { control.stop() }
        let api = "http://127.0.0.1:\(httpPort)/api/v1"
        let list = ControlAPILiveTests.json(try ControlAPILiveTests.curl("\(api)/dvr").body)["recordings"] as? [[String: Any]] ?? []
        let listed = try #require(list.first { $0["stream"] as? String == "livestream" })
        #expect((listed["duration"] as? Double ?? 0) >= recordedBeforeKill)
        #expect(listed["live"] as? Bool == false)
        let created = try ControlAPILiveTests.curl("\(api)/exports", ["-X", "POST", "--data",
            #"{"output": "after-kill.mp4", "items": [{"source": "dvr", "name": "livestream", "start": 0.5, "end": 2.5}]}"#])
        #expect(created.status == 202, "\(created.body)")
        let id = try #require(ControlAPILiveTests.json(created.body)["id"] as? String)
        var state = ""
        try waitUntil("export done", timeout: 20) {
            state = ControlAPILiveTests.json(try ControlAPILiveTests.curl("\(api)/exports/\(id)").body)["state"] as? String ?? ""
            return ["done", "failed", "cancelled"].contains(state)
        }
        #expect(state == "done")
        let exported = media.appendingPathComponent("exports/after-kill.mp4").path
        #expect(abs(try duration(exported) - 2) < 0.1)
        #expect(try decodeErrors(exported) == "")
    }

    @Test func dvrOffRecordsNothing() throws {
        let media = TestDirectory.make("dvr-off")
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--media", media.path, "--dvr", "off"])
        defer { relay.stop() }
        let url = RelayFixtures.url(port: port)
        let publisher = try RelayFixtures.startPublisher(url: url, seconds: 3)
        defer { publisher.stop() }
        try RelayFixtures.waitForStream(url: url)
        #expect(publisher.waitForExit(timeout: 15))
        #expect(!FileManager.default.fileExists(atPath: media.appendingPathComponent("dvr/livestream").path))
    }
}
