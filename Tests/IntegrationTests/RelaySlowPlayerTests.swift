import Foundation
import NIOCore
import RTMP
import Testing

/// A player that stops reading is skipped, then dropped, and never slows the others.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct RelaySlowPlayerTests {
    static func chunks(_ command: CommandMessage, streamID: UInt32 = 0) -> [UInt8] {
        Array(ChunkEncoder.encode(command.message(streamID: streamID), chunkStreamID: 3, chunkSize: 128).readableBytesView)
    }

    @Test func stalledPlayerIsDroppedWhileOthersKeepUp() throws {
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--player-queue-bytes", "262144", "--player-max-lag", "2"])
        defer { relay.stop() }
        let url = RelayFixtures.url(port: port)
        let publisher = try RelayFixtures.startPublisher(url: url, seconds: 30, size: "640x360")
        defer { publisher.stop() }
        try RelayFixtures.waitForStream(url: url)

        // A player that plays and then never reads again.
        let stalled = try RawSocket(port: port, receiveBuffer: 4096)
        #expect(stalled.handshake())
        stalled.send(Self.chunks(CommandMessage(name: "connect", transactionID: 1, commandObject: .object(["app": "livestreamcast_origin"]))))
        stalled.send(Self.chunks(CommandMessage(name: "createStream", transactionID: 2)))
        stalled.send(Self.chunks(CommandMessage(name: "play", transactionID: 0, arguments: ["livestream"]), streamID: 1))

        let report = try RelayFixtures.loadClient(url: url, players: 3, duration: 8)
        #expect(report["keptUp"] as? Int == 3, "healthy players were slowed: \(report)")
        try waitUntil("stalled player dropped", timeout: 15) { relay.output.contains("player stayed behind") }
        #expect(relay.output.contains("skipping to the next keyframe"))
    }
}
