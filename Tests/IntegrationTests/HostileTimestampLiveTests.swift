import Foundation
import Testing

/// Hostile timestamps from a publisher (issue 9): a jump of +3 days does not make a 10 s
/// recording list as 72 hours, nor "the last 4 s" export as 72 hours.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct HostileTimestampLiveTests {
    @Test func aTimestampJumpOfThreeDaysKeepsTheRecordingWallClockLong() throws {
        let directory = TestDirectory.make("timestamp-jump")
        let media = directory.appendingPathComponent("media")
        // 10 s of H.264/AAC whose timestamps jump by +3 days from 5 s on.
        let clean = directory.appendingPathComponent("clean.flv").path
        let made = try Tools.run("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine",
                                            "-t", "10", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-f", "flv", clean], timeout: 60)
        try #require(made.status == 0, "\(made.stderr)")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: clean)))
        var offset = Int(UInt32(bytes[5]) << 24 | UInt32(bytes[6]) << 16 | UInt32(bytes[7]) << 8 | UInt32(bytes[8])) + 4
        let jump: UInt32 = 3 * 86_400 * 1000
        var jumped = 0
        while offset + 11 <= bytes.count {
            let size = Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            var timestamp = UInt32(bytes[offset + 7]) << 24 | UInt32(bytes[offset + 4]) << 16 | UInt32(bytes[offset + 5]) << 8 | UInt32(bytes[offset + 6])
            if [8, 9].contains(bytes[offset] & 0x1F), timestamp >= 5000 {
                timestamp &+= jump
                bytes[offset + 4] = UInt8(timestamp >> 16 & 0xFF); bytes[offset + 5] = UInt8(timestamp >> 8 & 0xFF)
                bytes[offset + 6] = UInt8(timestamp & 0xFF); bytes[offset + 7] = UInt8(timestamp >> 24)
                jumped += 1
            }
            offset += 11 + size + 4
        }
        #expect(jumped > 100)
        let jumpFile = directory.appendingPathComponent("jump.flv").path
        try Data(bytes).write(to: URL(fileURLWithPath: jumpFile))

        let node = try MediaRootNode.start(media: media, directory: directory)
        defer { node.stop() }
        let (api, rtmpPort) = (node.api, node.rtmpPort)
        try waitUntil("data plane linked", timeout: 15) { try ControlAPILiveTests.curl("\(api)/health").status == 200 }

        // -copyts: ffmpeg sends the jump as it is in the file (it would smooth it otherwise).
        let published = try Tools.run("ffmpeg", ["-v", "error", "-copyts", "-i", jumpFile, "-c", "copy", "-f", "flv",
                                                 RelayFixtures.url(port: rtmpPort)], timeout: 60)
        #expect(published.status == 0, "\(published.stderr)")
        var duration = 0.0
        try waitUntil("the recording is listed", timeout: 20) {
            let recordings = ControlAPILiveTests.json(try ControlAPILiveTests.curl("\(api)/dvr").body)["recordings"] as? [[String: Any]] ?? []
            duration = recordings.first { $0["stream"] as? String == "livestream" }?["duration"] as? Double ?? 0
            return duration >= 9
        }
        #expect(duration < 15, "10 s published, listed as \(duration) s")

        // "The last 4 s" is 4 s long, not 72 hours.
        let body = #"{"output": "last.mp4", "items": [{"source": "dvr", "name": "livestream", "start": \#(duration - 4), "end": \#(duration)}]}"#
        let created = try ControlAPILiveTests.curl("\(api)/exports", ["-X", "POST", "--data", body])
        #expect(created.status == 202, "\(created.body)")
        let id = try #require(ControlAPILiveTests.json(created.body)["id"] as? String)
        var job: [String: Any] = [:]
        try waitUntil("export finished", timeout: 30) {
            job = ControlAPILiveTests.json(try ControlAPILiveTests.curl("\(api)/exports/\(id)").body)
            return ["done", "failed"].contains(job["state"] as? String ?? "")
        }
        #expect(job["state"] as? String == "done", "\(job)")
        #expect(abs((job["duration"] as? Double ?? 0) - 4) < 0.5, "\(job)")
    }
}
