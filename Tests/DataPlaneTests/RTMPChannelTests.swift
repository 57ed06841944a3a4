import NIOCore
import NIOEmbedded
import NIOTestUtils
import RTMP
import Testing
@testable import DataPlane

/// A session handler that records what the RTMP pipeline hands it.
final class MessageRecorder: ChannelInboundHandler {
    typealias InboundIn = RTMPMessage
    var messages: [RTMPMessage] = []
    var handshakeCompleted = false
    var errors: [any Error] = []
    func channelRead(context: ChannelHandlerContext, data: NIOAny) { messages.append(unwrapInboundIn(data)) }
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is RTMPHandshakeCompleted { handshakeCompleted = true }
    }
    func errorCaught(context: ChannelHandlerContext, error: any Error) { errors.append(error) }
}

@Suite struct RTMPChannelTests {
    static func message(_ type: UInt8, size: Int, timestamp: UInt32 = 0) -> RTMPMessage {
        RTMPMessage(typeID: type, streamID: 1, timestamp: timestamp, payload: ByteBuffer(bytes: (0..<size).map { UInt8(truncatingIfNeeded: $0) }))
    }

    @Test func messageDecoderPassesNIOsDecoderVerifier() throws {
        let video = Self.message(9, size: 700, timestamp: 40)
        let audio = Self.message(8, size: 20, timestamp: 41)
        var both = ChunkEncoder.encode(video, chunkStreamID: 6, chunkSize: 128)
        var second = ChunkEncoder.encode(audio, chunkStreamID: 4, chunkSize: 128)
        both.writeBuffer(&second)
        let bigVideo = Self.message(9, size: 5000, timestamp: 80)
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [
                (ChunkEncoder.encode(video, chunkStreamID: 6, chunkSize: 128), [video]),
                (both, [video, audio]),
                (ChunkEncoder.encode(bigVideo, chunkStreamID: 6, chunkSize: 128), [bigVideo]),
            ],
            decoderFactory: { RTMPMessageDecoder(limits: .init()) })
    }

    @Test func serverPipelineHandshakesThenDecodesAndRemovesTheHandshakeHandler() throws {
        let channel = EmbeddedChannel()
        let recorder = MessageRecorder()
        var received = 0
        try RTMPChannel.configure(channel.pipeline.syncOperations, side: .server(RTMPServerHandshake()), limits: .init(),
                                  countBytesIn: { received += $0 }, session: recorder)
        var client = RTMPClientHandshake()
        try channel.writeInbound(ByteBuffer(bytes: client.start()))
        var reply = try #require(try channel.readOutbound(as: ByteBuffer.self))
        guard case .completed(let c2, _) = try client.feed(reply.readBytes(length: reply.readableBytes)!) else {
            Issue.record("no S0+S1+S2")
            return
        }
        // C2 and the first chunks arrive in one read.
        let command = RTMPMessage(typeID: 20, streamID: 0, timestamp: 0, payload: ByteBuffer(bytes: [2, 0, 1, 0x61]))
        var wire = ByteBuffer(bytes: c2)
        var chunks = ChunkEncoder.encode(command, chunkStreamID: 3, chunkSize: 128)
        wire.writeBuffer(&chunks)
        try channel.writeInbound(wire)
        #expect(recorder.handshakeCompleted)
        #expect(recorder.messages == [command])
        #expect(received == 1537 + 1536 + 16)
        #expect(throws: (any Error).self) { try channel.pipeline.syncOperations.context(handlerType: RTMPHandshakeHandler.self) }
        // Pings are answered by the chunk layer.
        try channel.writeInbound(ChunkEncoder.encode(ProtocolControl.userControl(.pingRequest(timestamp: 99)), chunkStreamID: 2, chunkSize: 128))
        let pong = try #require(try channel.readOutbound(as: ByteBuffer.self))
        var decoder = ChunkDecoder()
        decoder.append(pong)
        let answer = try #require(try decoder.nextMessage())
        #expect(UserControlEvent(payload: answer.payload) == .pingResponse(timestamp: 99))
        _ = try channel.finish()
    }

    @Test func budgetExceededReachesTheSessionAsAnError() throws {
        let channel = EmbeddedChannel()
        let recorder = MessageRecorder()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RTMPMessageDecoder(limits: .init(maxBufferedBytes: 256))))
        try channel.pipeline.syncOperations.addHandler(recorder)
        let wire = ChunkEncoder.encode(Self.message(9, size: 1000), chunkStreamID: 6, chunkSize: 128)
        _ = try? channel.writeInbound(wire)
        #expect(recorder.errors.contains { ($0 as? ChunkDecoderError) == .bufferBudgetExceeded(limit: 256) })
        #expect(recorder.messages.isEmpty)
        _ = try? channel.finish()
    }

    @Test func windowAcknowledgementIsSentByTheChunkLayer() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RTMPMessageDecoder(limits: .init())))
        try channel.writeInbound(ChunkEncoder.encode(ProtocolControl.windowAcknowledgementSize(1000), chunkStreamID: 2, chunkSize: 128))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        try channel.writeInbound(ChunkEncoder.encode(Self.message(9, size: 1200), chunkStreamID: 6, chunkSize: 128))
        let ack = try #require(try channel.readOutbound(as: ByteBuffer.self))
        var decoder = ChunkDecoder()
        decoder.append(ack)
        let message = try #require(try decoder.nextMessage())
        #expect(message.type == .acknowledgement)
        #expect(ProtocolControl.uint32Value(of: message).map { $0 >= 1000 } == true)
        _ = try channel.finish()
    }
}
