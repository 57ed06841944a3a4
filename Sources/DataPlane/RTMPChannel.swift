import NIOCore
import RTMP

/// The one pipeline every RTMP connection of the relay uses, server side (players, publishers,
/// child nodes) and client side (pulls from an upstream):
///
///     [bytes-in counter] -> handshake (removes itself) -> chunk decoder (+ acks, pings) -> session
///
/// The session handler sees `RTMPMessage`s, a `RTMPHandshakeCompleted` user event first, and
/// `ChunkDecoderError` / `RTMPHandshakeError` in `errorCaught`. It writes `ByteBuffer`s it
/// serialized with `ChunkEncoder` (media is serialized once and shared by every player).
enum RTMPChannel {
    static func configure(_ pipeline: ChannelPipeline.SynchronousOperations, side: RTMPHandshakeHandler.Side,
                          limits: ChunkDecoderLimits, countBytesIn: ((Int) -> Void)? = nil,
                          session: some ChannelHandler) throws {
        if let countBytesIn { try pipeline.addHandler(InboundByteCounter(count: countBytesIn)) }
        try pipeline.addHandler(RTMPHandshakeHandler(side))
        try pipeline.addHandler(ByteToMessageHandler(RTMPMessageDecoder(limits: limits)))
        try pipeline.addHandler(session)
    }
}

/// Counts the bytes a connection receives (handshake included) for its statistics.
final class InboundByteCounter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    private let count: (Int) -> Void

    init(count: @escaping (Int) -> Void) {
        self.count = count
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        count(unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }
}
