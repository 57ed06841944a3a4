import FLV
import NIOCore

/// FLV tags as the DVR segment files store them (FLV spec v10.1, E.4.1 FLVTAG): an 11-byte
/// header (type, data size u24, timestamp u24 + extension u8, stream id u24 = 0), the frame's
/// tag body, then PreviousTagSize u32 (= 11 + data size). The timestamp is recording time.
public enum DVRTag {
    /// `FLV` version 1, audio + video flags, header size 9, then PreviousTagSize0.
    public static let fileHeader: [UInt8] = [0x46, 0x4C, 0x56, 0x01, 0x05, 0, 0, 0, 0x09, 0, 0, 0, 0]
    public static let headerSize = 11
    /// Largest tag body (FLV data size is 24 bits).
    public static let maxDataSize = 0xFF_FFFF

    /// Bytes a frame takes in a segment file.
    public static func encodedSize(_ frame: MediaFrame) -> Int { headerSize + frame.payload.readableBytes + 4 }

    public static func encode(_ frame: MediaFrame, time: UInt32, into buffer: inout ByteBuffer) {
        let size = frame.payload.readableBytes
        buffer.writeInteger(frame.kind.rawValue)
        writeUInt24(UInt32(size), into: &buffer)
        writeUInt24(time & 0xFF_FFFF, into: &buffer)
        buffer.writeInteger(UInt8(time >> 24))
        writeUInt24(0, into: &buffer)
        var payload = frame.payload
        buffer.writeBuffer(&payload)
        buffer.writeInteger(UInt32(headerSize + size))
    }

    /// Outcome of reading one tag.
    public enum Parsed: Equatable {
        /// A complete tag: the frame (timestamp = recording time) and the bytes it took.
        case tag(MediaFrame, size: Int)
        /// More bytes are needed (a tag still being written, or a torn tail).
        case incomplete
        /// The bytes are not a tag (corruption).
        case invalid
    }

    /// Reads one tag at the reader index of `buffer` without moving it.
    public static func parse(_ buffer: ByteBuffer) -> Parsed {
        let start = buffer.readerIndex
        guard buffer.readableBytes >= headerSize,
              let type = buffer.getInteger(at: start, as: UInt8.self),
              let sizeBytes = buffer.getBytes(at: start + 1, length: 3),
              let timeBytes = buffer.getBytes(at: start + 4, length: 4) else { return .incomplete }
        guard let kind = MediaFrame.Kind(rawValue: type) else { return .invalid }
        let size = Int(sizeBytes[0]) << 16 | Int(sizeBytes[1]) << 8 | Int(sizeBytes[2])
        let total = headerSize + size + 4
        guard buffer.readableBytes >= total else { return .incomplete }
        guard buffer.getInteger(at: start + headerSize + size, as: UInt32.self) == UInt32(headerSize + size),
              let payload = buffer.getSlice(at: start + headerSize, length: size) else { return .invalid }
        let time = UInt32(timeBytes[3]) << 24 | UInt32(timeBytes[0]) << 16 | UInt32(timeBytes[1]) << 8 | UInt32(timeBytes[2])
        return .tag(MediaFrame(kind: kind, timestamp: time, payload: payload), size: total)
    }

    private static func writeUInt24(_ value: UInt32, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(value >> 16 & 0xFF))
        buffer.writeInteger(UInt8(value >> 8 & 0xFF))
        buffer.writeInteger(UInt8(value & 0xFF))
    }
}
