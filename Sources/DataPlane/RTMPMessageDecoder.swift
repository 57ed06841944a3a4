import NIOCore
import RTMP

/// The chunk layer of an RTMP connection as a `ByteToMessageDecoder`: reassembles messages
/// straight from NIO's cumulation buffer (no copy of the input, linear reassembly, the
/// per-connection budget of `ChunkDecoderLimits`) and pays what the chunk layer owes the peer:
/// an Acknowledgement every window of bytes consumed, and a response to each ping. Every message
/// is passed on, the protocol control ones included.
///
/// Acknowledgements and ping responses are skipped while the channel is not writable: a peer
/// that does not read cannot make the relay queue control messages without bound.
struct RTMPMessageDecoder: ByteToMessageDecoder {
    typealias InboundOut = RTMPMessage

    private var decoder: ChunkDecoder
    private var acknowledgements = AcknowledgementTracker()
    private var consumedSoFar: UInt64 = 0

    init(limits: ChunkDecoderLimits) {
        decoder = ChunkDecoder(limits: limits)
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let message = try decoder.decode(from: &buffer)
        acknowledgeConsumedBytes(context: context)
        guard let message else { return .needMoreData }
        switch message.type {
        case .windowAcknowledgementSize:
            if let size = ProtocolControl.uint32Value(of: message) { acknowledgements.setWindowSize(size) }
        case .userControl:
            if case .pingRequest(let timestamp) = UserControlEvent(payload: message.payload) {
                send(ProtocolControl.userControl(.pingResponse(timestamp: timestamp)), context: context)
            }
        default:
            break
        }
        context.fireChannelRead(wrapInboundOut(message))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // A chunk cut short by the end of the connection is dropped, not an error.
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        return .needMoreData
    }

    private mutating func acknowledgeConsumedBytes(context: ChannelHandlerContext) {
        let consumed = decoder.bytesConsumed
        guard consumed != consumedSoFar else { return }
        let delta = Int(truncatingIfNeeded: consumed &- consumedSoFar)
        consumedSoFar = consumed
        if let sequence = acknowledgements.received(delta) {
            send(ProtocolControl.acknowledgement(sequenceNumber: sequence), context: context)
        }
    }

    /// Control messages fit one 128-byte chunk, so the peer's idea of our chunk size does not matter.
    private func send(_ message: RTMPMessage, context: ChannelHandlerContext) {
        guard context.channel.isWritable else { return }
        let bytes = ChunkEncoder.encode(message, chunkStreamID: RTMPChunkStreamID.control, chunkSize: 128)
        // Flushed at once: rare (one per window, one per ping), and due whatever the session does.
        context.writeAndFlush(NIOAny(bytes), promise: nil)
    }
}
