import NIOCore
import RTMP

/// Fired inbound (as a user event) when the RTMP handshake is complete, before the first chunk bytes.
struct RTMPHandshakeCompleted: Sendable, Equatable {}

/// Runs the handshake state machine of one side of a connection, then removes itself: the
/// bytes that follow the handshake go on to the chunk decoder. A handshake error is fired
/// inbound (`errorCaught`) and the handler drops anything the peer sends after it.
final class RTMPHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Which side of the handshake this end plays.
    enum Side {
        case server(RTMPServerHandshake)
        case client(RTMPClientHandshake)
    }

    private enum State { case handshaking, done, failed }
    private var side: Side
    private var state = State.handshaking

    init(_ side: Side) {
        self.side = side
    }

    func channelActive(context: ChannelHandlerContext) {
        if case .client(var handshake) = side {
            let c0c1 = handshake.start()
            side = .client(handshake)
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: c0c1)), promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch state {
        case .done: context.fireChannelRead(data); return
        case .failed: return
        case .handshaking: break
        }
        var bytes = unwrapInboundIn(data)
        let received = bytes.readBytes(length: bytes.readableBytes) ?? []
        do {
            switch side {
            case .server(var handshake):
                let action = try handshake.feed(received)
                side = .server(handshake)
                switch action {
                case .needMoreData:
                    break
                case .send(let reply):
                    context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: reply)), promise: nil)
                case .completed(let leftover):
                    complete(context: context, leftover: leftover)
                }
            case .client(var handshake):
                let action = try handshake.feed(received)
                side = .client(handshake)
                guard case .completed(let c2, let leftover) = action else { return }
                context.write(wrapOutboundOut(ByteBuffer(bytes: c2)), promise: nil)
                complete(context: context, leftover: leftover)
            }
        } catch {
            state = .failed
            context.fireErrorCaught(error)
        }
    }

    private func complete(context: ChannelHandlerContext, leftover: [UInt8]) {
        state = .done
        context.fireUserInboundEventTriggered(RTMPHandshakeCompleted())
        if !leftover.isEmpty { context.fireChannelRead(wrapInboundOut(ByteBuffer(bytes: leftover))) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
