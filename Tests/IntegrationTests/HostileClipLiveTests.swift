import Foundation
import Testing

/// A hostile clip in `sources/` (issue 9): an FLV whose SPS overflowed the parser crashed
/// `lsc-control` when `GET /api/v1/sources` listed it and the relay when it was played. Now it is
/// listed as unreadable with a reason, and playing it costs the relay nothing; a symbolic link
/// out of `sources/` is listed as refused and can be neither exported nor played.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct HostileClipLiveTests {
    /// An FLV with one AVC sequence header whose SPS has a scaling list delta of 2^31 - 1 (the
    /// parser's `last + delta + 256` overflowed and trapped), then one keyframe.
    static func overflowingSPSClip() -> [UInt8] {
        var bits = "1" + "010" + "1" + "1" + "0" + "1" + "1"  // sps id, chroma 1, depths, bypass, matrix, list 0
        bits += String(repeating: "0", count: 31) + "1" + String(repeating: "1", count: 30) + "0"  // se(v) = 2^31 - 1
        bits += String(repeating: "1", count: 64)
        while bits.count % 8 != 0 { bits += "0" }
        var sps: [UInt8] = [0x67, 100, 0, 30]
        var index = bits.startIndex
        while index < bits.endIndex {
            let next = bits.index(index, offsetBy: 8)
            sps.append(UInt8(bits[index..<next], radix: 2)!)
            index = next
        }
        let pps: [UInt8] = [0x68, 0xEE, 0x3C, 0x80]
        let record: [UInt8] = [1, 100, 0, 30, 0xFF, 0xE1, 0, UInt8(sps.count)] + sps + [1, 0, UInt8(pps.count)] + pps
        func tag(_ type: UInt8, _ timestamp: UInt32, _ body: [UInt8]) -> [UInt8] {
            let size = UInt32(body.count)
            let header: [UInt8] = [type, UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF),
                                   UInt8(timestamp >> 16 & 0xFF), UInt8(timestamp >> 8 & 0xFF), UInt8(timestamp & 0xFF), UInt8(timestamp >> 24), 0, 0, 0]
            let total = UInt32(header.count + body.count)
            return header + body + [UInt8(total >> 24), UInt8(total >> 16 & 0xFF), UInt8(total >> 8 & 0xFF), UInt8(total & 0xFF)]
        }
        return [0x46, 0x4C, 0x56, 1, 1, 0, 0, 0, 9, 0, 0, 0, 0]
            + tag(9, 0, [0x17, 0, 0, 0, 0] + record)
            + tag(9, 0, [0x17, 1, 0, 0, 0, 0, 0, 0, 2, 0x65, 0x88])
            + tag(9, 40, [0x17, 1, 0, 0, 0, 0, 0, 0, 2, 0x65, 0x88])
    }

    @Test func aClipWhoseSPSOverflowsIsListedAsUnreadableAndCostsTheRelayNothingWhenPlayed() throws {
        let directory = TestDirectory.make("hostile-media")
        let media = directory.appendingPathComponent("media")
        let sources = media.appendingPathComponent("sources")
        try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
        try Data(Self.overflowingSPSClip()).write(to: sources.appendingPathComponent("bad-sps.flv"))
        let outside = directory.appendingPathComponent("secret.flv")
        try Data(Self.overflowingSPSClip()).write(to: outside)
        try FileManager.default.createSymbolicLink(at: sources.appendingPathComponent("escape.flv"), withDestinationURL: outside)

        let socket = directory.appendingPathComponent("c.sock").path
        let (relay, rtmpPort) = try RelayFixtures.startRelay(extra: ["--media", media.path, "--control-socket", socket])
        defer { relay.stop() }
        let httpPort = FreePort.next()
        let control = try ControlAPILiveTests.startControl(socket: socket, httpPort: httpPort, extra: ["--media", media.path])
        defer { control.stop() }
        let api = "http://127.0.0.1:\(httpPort)/api/v1"

        let listing = try ControlAPILiveTests.curl("\(api)/sources")
        #expect(listing.status == 200)
        let files = ControlAPILiveTests.json(listing.body)["files"] as? [[String: Any]] ?? []
        let bad = try #require(files.first { $0["name"] as? String == "bad-sps.flv" })
        #expect(bad["error"] is String, "listed as unreadable with a reason: \(bad)")
        let escape = try #require(files.first { $0["name"] as? String == "escape.flv" })
        #expect((escape["error"] as? String)?.contains("symbolic link") == true, "\(escape)")
        #expect(control.process.isRunning, "lsc-control survived the listing")

        // Exporting through the link is a clear 400; the bad clip costs lsc-control nothing.
        let escapeBody = #"{"output": "x.f4v", "items": [{"source": "clip", "name": "escape.flv", "start": 0, "end": 0.04}]}"#
        let refused = try ControlAPILiveTests.curl("\(api)/exports", ["-X", "POST", "--data", escapeBody])
        #expect(refused.status == 400, "\(refused.body)")
        #expect(refused.body.contains("symbolic link"))
        let badBody = #"{"output": "y.f4v", "items": [{"source": "clip", "name": "bad-sps.flv", "start": 0, "end": 0.04}]}"#
        #expect([202, 400].contains(try ControlAPILiveTests.curl("\(api)/exports", ["-X", "POST", "--data", badBody]).status))
        #expect(control.process.isRunning, "lsc-control survived exporting it")

        // Playing it costs the relay nothing (its record is passed on, its SPS is not trusted), the
        // link out of sources/ is not played, and a live stream still plays.
        _ = try Tools.run("ffprobe", ["-v", "error", "-rw_timeout", "3000000", RelayFixtures.url(port: rtmpPort, stream: "flv:sources/bad-sps")], timeout: 10)
        let escaped = try Tools.run("ffprobe", ["-v", "error", "-rw_timeout", "3000000", "-show_entries", "stream=codec_name", "-of", "csv=p=0",
                                                RelayFixtures.url(port: rtmpPort, stream: "flv:sources/escape")], timeout: 10)
        #expect(!escaped.stdout.contains("h264"))
        #expect(relay.process.isRunning, "lsc-relay survived playing it")
        let publisher = try RelayFixtures.startPublisher(url: RelayFixtures.url(port: rtmpPort), seconds: 10)
        defer { publisher.stop() }
        try RelayFixtures.waitForStream(url: RelayFixtures.url(port: rtmpPort))
        #expect(try ControlAPILiveTests.curl("\(api)/sources").status == 200)
    }

}
