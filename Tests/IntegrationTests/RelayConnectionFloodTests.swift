import Foundation
import Testing

/// Thousands of small connections that each finish the handshake and declare large messages
/// (the attack that made the relay map memory until it died): bounded by `--max-connections`
/// and the per-connection limits, while a real player keeps playing.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct RelayConnectionFloodTests {
    /// Resident set size (KiB) and number of memory mappings of a process.
    static func memory(of pid: Int32) -> (rssKiB: Int, mappings: Int) {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let rss = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
            .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") } ?? 0
        let maps = (try? String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8))?.split(separator: "\n").count ?? 0
        return (rss, maps)
    }

    @Test func twoThousandSmallConnectionsStayBounded() throws {
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--max-connections", "1500", "--log-level", "error"])
        defer { relay.stop() }
        let url = RelayFixtures.url(port: port)
        let publisher = try RelayFixtures.startPublisher(url: url, seconds: 60)
        defer { publisher.stop() }
        try RelayFixtures.waitForStream(url: url)
        let before = Self.memory(of: relay.pid)
        let dir = TestDirectory.make("flood")
        let capture = dir.appendingPathComponent("player.flv").path
        let player = try TestProcess("ffmpeg", ["-v", "error", "-i", url, "-t", "15", "-c", "copy", "-f", "flv", capture], name: "steady-player")
        defer { player.stop() }

        // Each peer: handshake, then 4 chunk streams each starting a message declared 8 MiB
        // long (the default --max-message-size) with 128 bytes of it.
        let declared = (4...7).flatMap { RelayHostilePeerTests.chunkHeader(csid: $0, type: 9, length: 8 << 20) + [UInt8](repeating: 0x17, count: 128) }
        var peers: [RawSocket] = []
        var served = 0
        let started = Date()
        for _ in 0..<2000 {
            guard let peer = try? RawSocket(port: port) else { continue }
            if peer.handshake() {
                served += 1
                peer.send(declared)
            }
            peers.append(peer)
        }
        let during = Self.memory(of: relay.pid)
        print("flood: \(served) of 2000 served in \(Int(Date().timeIntervalSince(started))) s; relay RSS \(before.rssKiB) -> \(during.rssKiB) KiB, mappings \(before.mappings) -> \(during.mappings)")
        #expect(relay.isRunning)
        #expect(served <= 1500, "--max-connections was not applied")
        #expect(served >= 1000, "the relay served too few connections (\(served))")
        // Generous bounds: what matters is that memory follows bytes received, not bytes declared
        // (1500 × 4 × 8 MiB would be 48 GiB), and that mappings stay far from vm.max_map_count.
        #expect(during.rssKiB - before.rssKiB < 768 * 1024, "relay RSS grew by \(during.rssKiB - before.rssKiB) KiB")
        #expect(during.mappings < 20_000, "relay has \(during.mappings) memory mappings")
        peers.removeAll()

        #expect(player.waitForExit(timeout: 60))
        #expect(player.process.terminationStatus == 0, "player failed: \(player.output)")
        let video = try RelayFixtures.packets(of: capture, stream: "v")
        #expect((video.last?.dts ?? 0) - (video.first?.dts ?? 0) >= 14, "player did not get 15 s of media")
        try RelayFixtures.waitForStream(url: url)
        #expect(relay.isRunning)
    }
}
