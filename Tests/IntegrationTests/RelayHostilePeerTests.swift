import Foundation
import Testing

/// Hostile peers are dropped, one connection each, while a real ffmpeg player keeps playing.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct RelayHostilePeerTests {
    /// A chunk with a full header on `csid`, of message `type`, declaring `length` bytes.
    static func chunkHeader(csid: Int, type: UInt8, length: Int) -> [UInt8] {
        var header: [UInt8]
        switch csid {
        case 2...63: header = [UInt8(csid)]
        case 64...319: header = [0, UInt8(csid - 64)]
        default: header = [1, UInt8((csid - 64) & 0xFF), UInt8((csid - 64) >> 8)]
        }
        return header + [0, 0, 0, UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), type, 0, 0, 0, 0]
    }

    static func setChunkSize(_ size: UInt32) -> [UInt8] {
        chunkHeader(csid: 2, type: 1, length: 4) + [UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
    }

    @Test func hostilePeersAreDroppedWhilePlayersKeepPlaying() throws {
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--handshake-timeout", "1"])
        defer { relay.stop() }
        let url = RelayFixtures.url(port: port)
        let publisher = try RelayFixtures.startPublisher(url: url, seconds: 30)
        defer { publisher.stop() }
        try RelayFixtures.waitForStream(url: url)
        let dir = TestDirectory.make("hostile")
        let capture = dir.appendingPathComponent("player.flv").path
        let player = try TestProcess("ffmpeg", ["-v", "error", "-i", url, "-t", "10", "-c", "copy", "-f", "flv", capture], name: "steady-player")
        defer { player.stop() }

        // Random bytes instead of a handshake.
        var generator = SystemRandomNumberGenerator()
        let random = try RawSocket(port: port)
        random.send([0x42] + (0..<4000).map { _ in UInt8.random(in: 0...255, using: &generator) })
        #expect(random.waitForClose(timeout: 5), "random bytes were not dropped")

        // Truncated handshake: dropped by the handshake timeout.
        let truncated = try RawSocket(port: port)
        truncated.send([3] + [UInt8](repeating: 0, count: 700))
        #expect(truncated.waitForClose(timeout: 5), "truncated handshake was not dropped")

        let hostileInputs: [(String, [UInt8])] = [
            ("chunk size 0", Self.setChunkSize(0)),
            ("chunk size 2^31-1", Self.setChunkSize(0x7FFF_FFFF)),
            ("16 MiB message", Self.chunkHeader(csid: 6, type: 9, length: 0xFF_FFFF) + [UInt8](repeating: 0x17, count: 128)),
            ("10,000 chunk stream ids", (0..<10_000).flatMap { Self.chunkHeader(csid: 64 + $0, type: 9, length: 1000) + [UInt8](repeating: 0, count: 128) }),
        ]
        for (label, bytes) in hostileInputs {
            let peer = try RawSocket(port: port)
            #expect(peer.handshake(), "\(label): handshake failed")
            peer.send(bytes)
            #expect(peer.waitForClose(timeout: 5), "\(label): connection was not dropped")
        }

        #expect(player.waitForExit(timeout: 40))
        #expect(player.process.terminationStatus == 0, "player failed: \(player.output)")
        let video = try RelayFixtures.packets(of: capture, stream: "v")
        #expect((video.last?.dts ?? 0) - (video.first?.dts ?? 0) >= 9, "player did not get 10 s of media")
        let log = relay.output
        #expect(log.contains("invalid chunk size"))
        #expect(log.contains("exceeds limit"))
        #expect(log.contains("more than 64 chunk streams"))
        #expect(log.contains("handshake not completed"))
        #expect(relay.isRunning)
    }
}
