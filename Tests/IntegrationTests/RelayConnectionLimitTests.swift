import Foundation
import NIOCore
import RTMP
import Testing

/// Per-connection limits on a live relay: the reassembly budget, the idle timeout, and the
/// output queue of a peer that never reads (command replies and metadata count in it).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct RelayConnectionLimitTests {
    static func wire(_ message: RTMPMessage, csid: UInt32 = RTMPChunkStreamID.command, chunkSize: Int = 65536) -> [UInt8] {
        var bytes = ChunkEncoder.encode(message, chunkStreamID: csid, chunkSize: chunkSize)
        return bytes.readBytes(length: bytes.readableBytes)!
    }

    static func command(_ command: CommandMessage, stream: UInt32 = 0) -> [UInt8] { wire(command.message(streamID: stream)) }

    /// Handshake, larger chunk size, `connect`.
    static func connectedSocket(port: Int, receiveBuffer: Int32? = nil) throws -> RawSocket {
        let socket = try RawSocket(port: port, receiveBuffer: receiveBuffer)
        #expect(socket.handshake())
        socket.send(wire(ProtocolControl.setChunkSize(65536), csid: 2, chunkSize: 128)
                    + command(ClientRequests.connect(app: "livestreamcast_origin", tcUrl: "rtmp://127.0.0.1/livestreamcast_origin")))
        return socket
    }

    @Test func idleConnectionsAndUnfinishedMessagesPastTheBudgetAreClosed() throws {
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--idle-timeout", "1", "--max-connection-buffer", "65536", "--dvr", "off"])
        defer { relay.stop() }

        let idle = try RawSocket(port: port)
        #expect(idle.handshake())
        #expect(idle.waitForClose(timeout: 5), "an idle connection stayed open")

        // One 128 KiB message (under --max-message-size) sent in 64 KiB chunks: the second chunk
        // takes the unfinished message past the 64 KiB budget.
        let greedy = try Self.connectedSocket(port: port)
        var header = ByteBuffer()
        header.writeInteger(UInt8(6))
        header.writeBytes([0, 0, 0, 0x02, 0x00, 0x00, 9, 1, 0, 0, 0])
        greedy.send(header.readBytes(length: header.readableBytes)! + [UInt8](repeating: 0x27, count: 65536))
        greedy.send([0xC6] + [UInt8](repeating: 0x27, count: 65000))
        #expect(greedy.waitForClose(timeout: 5), "the budget was not enforced")
        try waitUntil("both closes logged", timeout: 5) {
            relay.output.contains("neither published nor played") && relay.output.contains("budget of 65536 bytes")
        }
    }

    @Test func aPeerThatNeverReadsAndKeepsAskingToPlayIsDisconnected() throws {
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--player-queue-bytes", "262144", "--dvr", "off"])
        defer { relay.stop() }

        // A publisher whose onMetaData is 1 MiB.
        let publisher = try Self.connectedSocket(port: port)
        publisher.send(Self.command(ClientRequests.createStream(transactionID: 2)))
        publisher.send(Self.command(ClientRequests.publish("big"), stream: 1))
        let metadata = DataMessage(values: ["@setDataFrame", "onMetaData", .object([AMF0Property("padding", .string(String(repeating: "x", count: 1 << 20)))])])
        publisher.send(Self.wire(RTMPMessage(typeID: 18, streamID: 1, timestamp: 0, payload: metadata.payload), csid: RTMPChunkStreamID.data))

        // A player with a small receive buffer that never reads: each play queues the metadata again.
        let player = try Self.connectedSocket(port: port, receiveBuffer: 4096)
        player.send(Self.command(ClientRequests.createStream(transactionID: 2)))
        for _ in 0..<40 { player.send(Self.command(ClientRequests.play("big"), stream: 1)) }
        try waitUntil("the non-reading player disconnected", timeout: 20) { relay.output.contains("peer does not read") }
        #expect(player.waitForClose(timeout: 5))
        #expect(!relay.output.contains("Fatal error"))
    }
}
