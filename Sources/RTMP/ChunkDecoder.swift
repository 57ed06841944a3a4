//  Chunk stream reassembly (RTMP spec §5.3).
//
//  +--------------+----------------+--------------------+--------------+
//  | Basic Header | Message Header | Extended Timestamp |  Chunk Data  |
//  +--------------+----------------+--------------------+--------------+
//  basic header: fmt(2 bits) + csid (6 bits; 0 → 1 more byte, 1 → 2 more bytes)
//  message header: fmt 0 = 11 bytes (timestamp, length, type, stream id LE),
//                  fmt 1 = 7 (delta, length, type), fmt 2 = 3 (delta), fmt 3 = 0
//  extended timestamp: present when the 24-bit field is 0xFFFFFF, and then also on the
//                      fmt 3 chunks that continue or repeat that header.
import NIOCore

/// Limits that bound what a peer can make the decoder hold.
public struct ChunkDecoderLimits: Sendable, Equatable {
    /// Largest Set Chunk Size accepted from the peer.
    public var maxChunkSize: Int
    /// Largest message length accepted (the header's 24-bit length field can say up to 16 MiB).
    public var maxMessageSize: Int
    /// Largest number of distinct chunk stream ids a peer may use.
    public var maxChunkStreams: Int
    /// Bytes all unfinished messages of one connection may hold together (the per-connection
    /// reassembly budget). The default, 10 MiB, fits one message of the largest default size
    /// (8 MiB) with audio, video and commands interleaved on other chunk streams.
    public var maxBufferedBytes: Int

    public static let defaultMaxBufferedBytes = 10 << 20

    public init(maxChunkSize: Int = 1 << 20, maxMessageSize: Int = 8 << 20, maxChunkStreams: Int = 64,
                maxBufferedBytes: Int = ChunkDecoderLimits.defaultMaxBufferedBytes) {
        self.maxChunkSize = maxChunkSize
        self.maxMessageSize = maxMessageSize
        self.maxChunkStreams = maxChunkStreams
        self.maxBufferedBytes = maxBufferedBytes
    }
}

/// Why the decoder refused the peer's bytes. The connection should be closed with this reason.
public enum ChunkDecoderError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidChunkSize(Int)
    case messageTooLarge(Int, limit: Int)
    case tooManyChunkStreams(limit: Int)
    case continuationWithoutHeader(chunkStreamID: UInt32)
    case headerChangedMidMessage(chunkStreamID: UInt32)
    /// The unfinished messages of the connection would hold more than `limit` bytes together.
    case bufferBudgetExceeded(limit: Int)

    public var description: String {
        switch self {
        case .invalidChunkSize(let size): return "invalid chunk size \(size)"
        case .messageTooLarge(let size, let limit): return "message of \(size) bytes exceeds limit \(limit)"
        case .tooManyChunkStreams(let limit): return "more than \(limit) chunk streams"
        case .continuationWithoutHeader(let csid): return "chunk on stream \(csid) without a full header first"
        case .headerChangedMidMessage(let csid): return "new message header on stream \(csid) before the previous message completed"
        case .bufferBudgetExceeded(let limit): return "unfinished messages exceed the connection's budget of \(limit) bytes"
        }
    }
}

/// Reassembles RTMP messages from a byte stream. A pure value: no I/O, the caller owns the socket.
///
/// Two ways to feed it: `decode(from:)` consumes complete chunks straight from the caller's
/// buffer (what `RTMPMessageDecoder`, the NIO `ByteToMessageDecoder`, does with its cumulation
/// buffer), or `append(_:)` then `nextMessage()` for callers without a buffer of their own.
///
/// Reassembly is linear: each chunk's payload is appended to its message's buffer, which the
/// decoder owns uniquely (taken out of the table while it is written, so it is never copied on
/// write), and which grows with the bytes actually received, never with the declared length.
/// All unfinished messages together stay within `limits.maxBufferedBytes`.
///
/// Set Chunk Size and Abort messages are applied by the decoder itself (they change how the
/// following bytes are framed) and are also returned to the caller.
public struct ChunkDecoder: Sendable {
    public let limits: ChunkDecoderLimits
    /// The peer's current chunk size (128 until it sends Set Chunk Size).
    public private(set) var chunkSize = 128
    /// Bytes held by unfinished messages, all chunk streams together.
    public private(set) var partialBytes = 0
    /// Bytes the decoder's own buffers had to move to grow (reallocation that could not extend in
    /// place). Reassembly is linear when this stays within a small multiple of the bytes received.
    public private(set) var bytesMoved = 0
    /// Wire bytes consumed so far (chunk headers included).
    public private(set) var bytesConsumed: UInt64 = 0
    private var buffer = ByteBuffer()
    private var headers: [UInt32: ChunkStreamHeader] = [:]
    private var partials: [UInt32: ByteBuffer] = [:]

    /// The last header seen on one chunk stream (what fmt 1-3 chunks abbreviate).
    private struct ChunkStreamHeader: Sendable {
        var timestamp: UInt32 = 0
        var timestampDelta: UInt32 = 0
        var length = 0
        var typeID: UInt8 = 0
        var streamID: UInt32 = 0
        var extendedTimestamp = false
        var inMessage = false
    }

    public init(limits: ChunkDecoderLimits = .init()) {
        self.limits = limits
    }

    /// Bytes received through `append` but not yet consumed.
    public var bufferedBytes: Int { buffer.readableBytes }

    public mutating func append(_ bytes: ByteBuffer) {
        var bytes = bytes
        if buffer.readableBytes == 0 && buffer.capacity == 0 {
            buffer = bytes
        } else {
            buffer.writeBuffer(&bytes)
        }
    }

    public mutating func append<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
        buffer.writeBytes(bytes)
    }

    /// The next complete message from bytes given to `append`, or nil when more bytes are needed.
    public mutating func nextMessage() throws(ChunkDecoderError) -> RTMPMessage? {
        var input = buffer
        buffer = ByteBuffer() // `input` is now the only reference: consuming it copies nothing.
        defer {
            if input.readableBytes == 0 {
                buffer = ByteBuffer() // Drained: release the storage.
            } else {
                if input.readerIndex > 64 * 1024 { input.discardReadBytes() }
                buffer = input
            }
        }
        return try decode(from: &input)
    }

    /// Consumes complete chunks from `input` until one completes a message; returns it, or nil
    /// when `input` holds no complete chunk any more (a partial chunk is left in `input`).
    public mutating func decode(from input: inout ByteBuffer) throws(ChunkDecoderError) -> RTMPMessage? {
        while let chunk = try decodeChunk(from: &input) {
            if let message = chunk {
                try applyProtocolControl(message)
                return message
            }
        }
        return nil
    }

    /// Decodes one chunk. Returns nil when more bytes are needed (nothing consumed),
    /// `.some(nil)` when a chunk was consumed without completing a message.
    private mutating func decodeChunk(from input: inout ByteBuffer) throws(ChunkDecoderError) -> RTMPMessage?? {
        var cursor = input
        guard let first = cursor.readInteger(as: UInt8.self) else { return nil }
        let format = first >> 6
        var chunkStreamID = UInt32(first & 0x3F)
        switch chunkStreamID {
        case 0:
            guard let byte = cursor.readInteger(as: UInt8.self) else { return nil }
            chunkStreamID = UInt32(byte) + 64
        case 1:
            guard let low = cursor.readInteger(as: UInt8.self), let high = cursor.readInteger(as: UInt8.self) else { return nil }
            chunkStreamID = UInt32(high) << 8 + UInt32(low) + 64
        default:
            break
        }

        let known = headers[chunkStreamID]
        if known == nil, headers.count >= limits.maxChunkStreams { throw .tooManyChunkStreams(limit: limits.maxChunkStreams) }
        var header = known ?? ChunkStreamHeader()
        guard format == 0 || known != nil else { throw .continuationWithoutHeader(chunkStreamID: chunkStreamID) }

        let startsMessage = !header.inMessage
        var timestampField: UInt32 = 0
        if format < 3 {
            guard cursor.readableBytes >= Self.messageHeaderLengths[Int(format)] else { return nil }
            if !startsMessage { throw .headerChangedMidMessage(chunkStreamID: chunkStreamID) }
            timestampField = cursor.readUInt24()!
            if format <= 1 {
                header.length = Int(cursor.readUInt24()!)
                header.typeID = cursor.readInteger(as: UInt8.self)!
                if format == 0 { header.streamID = cursor.readInteger(endianness: .little, as: UInt32.self)! }
            }
            header.extendedTimestamp = timestampField == 0xFFFFFF
        }
        if header.extendedTimestamp {
            guard let extended = cursor.readInteger(as: UInt32.self) else { return nil }
            timestampField = extended
        }

        guard header.length <= limits.maxMessageSize else {
            throw .messageTooLarge(header.length, limit: limits.maxMessageSize)
        }
        let alreadyReceived = startsMessage ? 0 : partials[chunkStreamID]?.readableBytes ?? 0
        let payloadLength = min(chunkSize, header.length - alreadyReceived)
        // Checked on the header, before waiting for the chunk's bytes (which NIO buffers meanwhile).
        guard partialBytes + payloadLength <= limits.maxBufferedBytes || payloadLength == header.length else {
            throw .bufferBudgetExceeded(limit: limits.maxBufferedBytes)
        }
        guard cursor.readableBytes >= payloadLength else { return nil }

        // The whole chunk is here: commit header state.
        if startsMessage {
            switch format {
            case 0:
                header.timestamp = timestampField
                header.timestampDelta = 0
            case 1, 2:
                header.timestampDelta = timestampField
                header.timestamp &+= timestampField
            default:
                // A fmt 3 chunk starting a new message repeats the previous delta (spec §5.3.1.2.4).
                if header.extendedTimestamp && header.timestampDelta == 0 {
                    header.timestamp = timestampField
                } else {
                    header.timestamp &+= header.timestampDelta
                }
            }
        }
        var slice = cursor.readSlice(length: payloadLength)!
        bytesConsumed &+= UInt64(cursor.readerIndex - input.readerIndex)
        input = cursor

        // A message in one chunk needs no table entry. Its payload is copied out of the input
        // (not sliced) so a cached frame never pins a whole read buffer.
        if startsMessage, payloadLength == header.length {
            header.inMessage = false
            headers[chunkStreamID] = header
            var payload = ByteBufferAllocator().buffer(capacity: payloadLength)
            payload.writeBuffer(&slice)
            return .some(RTMPMessage(typeID: header.typeID, streamID: header.streamID, timestamp: header.timestamp, payload: payload))
        }

        // Taken out of the table while written: the only reference, so appending never copies it.
        var partial = partials.removeValue(forKey: chunkStreamID) ?? ByteBuffer()
        let before = partial.readableBytes
        let movedFrom = partial.withUnsafeReadableBytes { $0.baseAddress }
        partial.writeBuffer(&slice)
        if before > 0, partial.withUnsafeReadableBytes({ $0.baseAddress }) != movedFrom { bytesMoved += before }
        partialBytes += payloadLength

        if partial.readableBytes >= header.length {
            partialBytes -= partial.readableBytes
            header.inMessage = false
            headers[chunkStreamID] = header
            return .some(RTMPMessage(typeID: header.typeID, streamID: header.streamID, timestamp: header.timestamp, payload: partial))
        }
        header.inMessage = true
        headers[chunkStreamID] = header
        partials[chunkStreamID] = partial
        return .some(nil)
    }

    private static let messageHeaderLengths = [11, 7, 3]

    private mutating func applyProtocolControl(_ message: RTMPMessage) throws(ChunkDecoderError) {
        guard message.streamID == 0 || message.typeID <= 2 else { return }
        switch message.type {
        case .setChunkSize:
            guard let raw = message.payload.getInteger(at: message.payload.readerIndex, as: UInt32.self) else {
                throw .invalidChunkSize(0)
            }
            let size = Int(raw & 0x7FFF_FFFF)
            guard size >= 1, size <= limits.maxChunkSize else { throw .invalidChunkSize(Int(raw)) }
            chunkSize = size
        case .abort:
            if let csid = message.payload.getInteger(at: message.payload.readerIndex, as: UInt32.self),
               let dropped = partials.removeValue(forKey: csid) {
                partialBytes -= dropped.readableBytes
                headers[csid]?.inMessage = false
            }
        default:
            break
        }
    }
}

extension ByteBuffer {
    /// Reads a big-endian 24-bit integer (RTMP timestamps and lengths), without allocating.
    mutating func readUInt24() -> UInt32? {
        guard let high = readInteger(as: UInt8.self), let low = readInteger(as: UInt16.self) else { return nil }
        return UInt32(high) << 16 | UInt32(low)
    }

    mutating func writeUInt24(_ value: UInt32) {
        writeInteger(UInt8(truncatingIfNeeded: value >> 16))
        writeInteger(UInt16(truncatingIfNeeded: value))
    }
}
