import NIOCore

/// Serializes messages into chunks (RTMP spec §5.3). Every message starts with a full (fmt 0)
/// header and continues with fmt 3 chunks, so the bytes of a message do not depend on what was
/// sent before on the connection: the relay serializes a message once and writes the same bytes
/// to every player that shares the chunk size.
public enum ChunkEncoder {
    /// Appends `message` as chunks of at most `chunkSize` payload bytes, on `chunkStreamID`.
    public static func encode(_ message: RTMPMessage, chunkStreamID: UInt32, chunkSize: Int, into out: inout ByteBuffer) {
        var payload = message.payload
        let length = payload.readableBytes
        let extended = message.timestamp >= 0xFFFFFF
        out.reserveCapacity(minimumWritableBytes: length + 18 + (length / max(chunkSize, 1) + 1) * 7)
        writeBasicHeader(format: 0, chunkStreamID: chunkStreamID, into: &out)
        out.writeUInt24(extended ? 0xFFFFFF : message.timestamp)
        out.writeUInt24(UInt32(truncatingIfNeeded: length))
        out.writeInteger(message.typeID)
        out.writeInteger(message.streamID, endianness: .little)
        if extended { out.writeInteger(message.timestamp) }
        var first = true
        while first || payload.readableBytes > 0 {
            if !first {
                writeBasicHeader(format: 3, chunkStreamID: chunkStreamID, into: &out)
                if extended { out.writeInteger(message.timestamp) }
            }
            first = false
            var slice = payload.readSlice(length: min(chunkSize, payload.readableBytes))!
            out.writeBuffer(&slice)
        }
    }

    /// `message` serialized on its own.
    public static func encode(_ message: RTMPMessage, chunkStreamID: UInt32, chunkSize: Int) -> ByteBuffer {
        var out = ByteBuffer()
        encode(message, chunkStreamID: chunkStreamID, chunkSize: chunkSize, into: &out)
        return out
    }

    static func writeBasicHeader(format: UInt8, chunkStreamID: UInt32, into out: inout ByteBuffer) {
        switch chunkStreamID {
        case 2...63:
            out.writeInteger(format << 6 | UInt8(chunkStreamID))
        case 64...319:
            out.writeInteger(format << 6)
            out.writeInteger(UInt8(truncatingIfNeeded: chunkStreamID &- 64))
        default:
            out.writeInteger(format << 6 | 1)
            let value = chunkStreamID &- 64
            out.writeInteger(UInt8(truncatingIfNeeded: value))
            out.writeInteger(UInt8(truncatingIfNeeded: value >> 8))
        }
    }
}
