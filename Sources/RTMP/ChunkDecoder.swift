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

    public init(maxChunkSize: Int = 1 << 20, maxMessageSize: Int = 8 << 20, maxChunkStreams: Int = 64) {
        self.maxChunkSize = maxChunkSize
        self.maxMessageSize = maxMessageSize
        self.maxChunkStreams = maxChunkStreams
    }
}

/// Why the decoder refused the peer's bytes. The connection should be closed with this reason.
public enum ChunkDecoderError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidChunkSize(Int)
    case messageTooLarge(Int, limit: Int)
    case tooManyChunkStreams(limit: Int)
    case continuationWithoutHeader(chunkStreamID: UInt32)
    case headerChangedMidMessage(chunkStreamID: UInt32)

    public var description: String {
        switch self {
        case .invalidChunkSize(let size): return "invalid chunk size \(size)"
        case .messageTooLarge(let size, let limit): return "message of \(size) bytes exceeds limit \(limit)"
        case .tooManyChunkStreams(let limit): return "more than \(limit) chunk streams"
        case .continuationWithoutHeader(let csid): return "chunk on stream \(csid) without a full header first"
        case .headerChangedMidMessage(let csid): return "new message header on stream \(csid) before the previous message completed"
        }
    }
}

/// Reassembles RTMP messages from a byte stream: `append(_:)` bytes, then call `nextMessage()`
/// until it returns nil. A pure value: no I/O, the caller owns the socket.
///
/// Set Chunk Size and Abort messages are applied by the decoder itself (they change how the
/// following bytes are framed) and are also returned to the caller.
public struct ChunkDecoder: Sendable {
    public let limits: ChunkDecoderLimits
    /// The peer's current chunk size (128 until it sends Set Chunk Size).
    public private(set) var chunkSize = 128
    private var buffer = ByteBuffer()
    private var streams: [UInt32: ChunkStreamState] = [:]

    private struct ChunkStreamState: Sendable {
        var timestamp: UInt32 = 0
        var timestampDelta: UInt32 = 0
        var length = 0
        var typeID: UInt8 = 0
        var streamID: UInt32 = 0
        var extendedTimestamp = false
        var hasHeader = false
        var partial: ByteBuffer?
    }

    public init(limits: ChunkDecoderLimits = .init()) {
        self.limits = limits
    }

    /// Bytes received but not yet consumed.
    public var bufferedBytes: Int { buffer.readableBytes }

    public mutating func append(_ bytes: ByteBuffer) {
        var bytes = bytes
        buffer.writeBuffer(&bytes)
    }

    public mutating func append<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
        buffer.writeBytes(bytes)
    }

    /// The next complete message, or nil when more bytes are needed.
    public mutating func nextMessage() throws(ChunkDecoderError) -> RTMPMessage? {
        while true {
            guard let chunkComplete = try decodeChunk() else {
                compact()
                return nil
            }
            if let message = chunkComplete {
                try applyProtocolControl(message)
                return message
            }
        }
    }

    /// Decodes one chunk. Returns nil when more bytes are needed (nothing consumed),
    /// `.some(nil)` when a chunk was consumed without completing a message.
    private mutating func decodeChunk() throws(ChunkDecoderError) -> RTMPMessage?? {
        var cursor = buffer
        guard let first = cursor.readInteger(as: UInt8.self) else { return nil }
        let format = first >> 6
        var chunkStreamID = UInt32(first & 0x3F)
        switch chunkStreamID {
        case 0:
            guard let byte = cursor.readInteger(as: UInt8.self) else { return nil }
            chunkStreamID = UInt32(byte) + 64
        case 1:
            guard let low = cursor.readInteger(as: UInt8.self), let high = cursor.readInteger(as: UInt8.self) else { return nil }
            chunkStreamID = UInt32(high) * 256 + UInt32(low) + 64
        default:
            break
        }

        var state: ChunkStreamState
        if let existing = streams[chunkStreamID] {
            state = existing
        } else {
            guard streams.count < limits.maxChunkStreams else { throw .tooManyChunkStreams(limit: limits.maxChunkStreams) }
            state = ChunkStreamState()
        }
        guard format == 0 || state.hasHeader else { throw .continuationWithoutHeader(chunkStreamID: chunkStreamID) }

        let startsMessage = state.partial == nil
        var timestampField: UInt32 = 0
        switch format {
        case 0, 1, 2:
            let headerLength = [11, 7, 3][Int(format)]
            guard cursor.readableBytes >= headerLength else { return nil }
            if !startsMessage { throw .headerChangedMidMessage(chunkStreamID: chunkStreamID) }
            timestampField = cursor.readUInt24()
            if format <= 1 {
                state.length = Int(cursor.readUInt24())
                state.typeID = cursor.readInteger(as: UInt8.self)!
                if format == 0 { state.streamID = cursor.readInteger(endianness: .little, as: UInt32.self)! }
            }
            state.extendedTimestamp = timestampField == 0xFFFFFF
        default:
            break
        }
        if state.extendedTimestamp {
            guard let extended = cursor.readInteger(as: UInt32.self) else { return nil }
            timestampField = extended
        }

        guard state.length <= limits.maxMessageSize else {
            throw .messageTooLarge(state.length, limit: limits.maxMessageSize)
        }
        let alreadyReceived = state.partial?.readableBytes ?? 0
        let payloadLength = min(chunkSize, state.length - alreadyReceived)
        guard cursor.readableBytes >= payloadLength else { return nil }

        // The whole chunk is here: commit header state.
        if startsMessage {
            switch format {
            case 0:
                state.timestamp = timestampField
                state.timestampDelta = 0
            case 1, 2:
                state.timestampDelta = timestampField
                state.timestamp &+= timestampField
            default:
                // A fmt 3 chunk starting a new message repeats the previous delta (spec §5.3.1.2.4).
                if state.extendedTimestamp && state.timestampDelta == 0 {
                    state.timestamp = timestampField
                } else {
                    state.timestamp &+= state.timestampDelta
                }
            }
            state.partial = ByteBuffer()
            state.partial?.reserveCapacity(state.length)
        }
        state.hasHeader = true
        var slice = cursor.readSlice(length: payloadLength)!
        state.partial!.writeBuffer(&slice)
        buffer = cursor

        var completed: RTMPMessage?
        if state.partial!.readableBytes >= state.length {
            completed = RTMPMessage(typeID: state.typeID, streamID: state.streamID, timestamp: state.timestamp, payload: state.partial!)
            state.partial = nil
        }
        streams[chunkStreamID] = state
        return .some(completed)
    }

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
            if let csid = message.payload.getInteger(at: message.payload.readerIndex, as: UInt32.self) {
                streams[csid]?.partial = nil
            }
        default:
            break
        }
    }

    private mutating func compact() {
        if buffer.readerIndex > 64 * 1024 { buffer.discardReadBytes() }
    }
}

extension ByteBuffer {
    mutating func readUInt24() -> UInt32 {
        let bytes = readBytes(length: 3)!
        return UInt32(bytes[0]) << 16 | UInt32(bytes[1]) << 8 | UInt32(bytes[2])
    }

    mutating func writeUInt24(_ value: UInt32) {
        writeInteger(UInt8(truncatingIfNeeded: value >> 16))
        writeInteger(UInt8(truncatingIfNeeded: value >> 8))
        writeInteger(UInt8(truncatingIfNeeded: value))
    }
}
