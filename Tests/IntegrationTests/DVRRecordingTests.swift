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
        try waitUntil("3 s recorded", timeout: 15) { try duration(first) >= 3 }
        #expect(FileManager.default.fileExists(atPath: recording.appendingPathComponent("recording.json").path))

        relay.signal(SIGKILL)
        #expect(relay.waitForExit(timeout: 5))
        publisher.stop()
        let recordedBeforeKill = try duration(first)
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
        #expect(try duration(segment2) >= 2.5)
        let indexSize = try #require(try FileManager.default.attributesOfItem(atPath: recording.appendingPathComponent("index.dvx").path)[.size] as? Int)
        #expect(indexSize > 0 && indexSize % 32 == 0)
        let info = try String(contentsOf: recording.appendingPathComponent("recording.json"), encoding: .utf8)
        #expect(info.contains("\"stream\":\"livestream\""))
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
