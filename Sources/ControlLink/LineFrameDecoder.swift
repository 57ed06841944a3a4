import NIOCore

/// Splits the control socket's byte stream into lines (without the `\n`). A line longer than
/// `maxLength` is an error: the peer is misbehaving and the connection is closed.
struct LineFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    struct LineTooLong: Error, CustomStringConvertible {
        let limit: Int
        var description: String { "control-socket line longer than \(limit) bytes" }
    }

    let maxLength: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > maxLength { throw LineTooLong(limit: maxLength) }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        if length > maxLength { throw LineTooLong(limit: maxLength) }
        if let line = buffer.readSlice(length: length) {
            buffer.moveReaderIndex(forwardBy: 1)
            context.fireChannelRead(Self.wrapInboundOut(line))
        }
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A partial last line is dropped: messages are only complete with their newline.
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }
}
