import NIOCore

// FLV file layout (Adobe FLV spec v10.1, Annex E.2–E.3):
//
//   header: 'F' 'L' 'V' version(8)=1 flags(8: 0x04 audio, 0x01 video) dataOffset(32)=9
//   PreviousTagSize0(32)=0
//   { tag: type(8) dataSize(24) timestamp(24) timestampExtended(8) streamID(24)=0 data
//     PreviousTagSize(32) = 11 + dataSize }*

/// Writes FLV files: the file header and one tag per `MediaFrame`.
public enum FLVFileWriter {
    public static let tagHeaderSize = 11

    /// The 9-byte file header followed by PreviousTagSize0.
    public static func header(hasAudio: Bool, hasVideo: Bool) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeBytes([0x46, 0x4C, 0x56, 0x01, (hasAudio ? 0x04 : 0) | (hasVideo ? 0x01 : 0)])
        buffer.writeInteger(UInt32(9))
        buffer.writeInteger(UInt32(0))
        return buffer
    }

    /// Appends `frame` as a tag followed by its PreviousTagSize.
    public static func writeTag(_ frame: MediaFrame, into buffer: inout ByteBuffer) {
        let size = frame.payload.readableBytes
        buffer.writeInteger(frame.kind.rawValue)
        writeUInt24(UInt32(truncatingIfNeeded: size), into: &buffer)
        writeUInt24(frame.timestamp & 0xFF_FFFF, into: &buffer)
        buffer.writeInteger(UInt8(truncatingIfNeeded: frame.timestamp >> 24))
        writeUInt24(0, into: &buffer)
        var payload = frame.payload
        buffer.writeBuffer(&payload)
        buffer.writeInteger(UInt32(tagHeaderSize + size))
    }

    private static func writeUInt24(_ value: UInt32, into buffer: inout ByteBuffer) {
        buffer.writeBytes([UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
    }
}

/// Reads FLV files incrementally: feed bytes with `append`, take frames with `nextFrame()`.
/// Memory is bounded by `maximumTagSize`; unknown tag types are skipped.
public struct FLVFileReader {
    /// Why a file could not be read.
    public enum ReadError: Error, Equatable, Sendable {
        case notFLV
        case tagTooLarge(Int)
        case encryptedTag
    }

    public var maximumTagSize: Int
    /// Flags from the header once read: audio and video presence.
    public private(set) var hasAudio = false
    public private(set) var hasVideo = false
    private var buffer = ByteBuffer()
    private var headerRead = false

    public init(maximumTagSize: Int = 16 << 20) {
        self.maximumTagSize = maximumTagSize
    }

    public mutating func append(_ bytes: ByteBuffer) {
        var bytes = bytes
        buffer.writeBuffer(&bytes)
    }

    /// The next audio, video or script-data frame, or nil when more bytes are needed.
    public mutating func nextFrame() throws -> MediaFrame? {
        if !headerRead {
            guard let header = buffer.getBytes(at: buffer.readerIndex, length: 9) else { return nil }
            guard header[0] == 0x46, header[1] == 0x4C, header[2] == 0x56 else { throw ReadError.notFLV }
            let offset = Int(header[5]) << 24 | Int(header[6]) << 16 | Int(header[7]) << 8 | Int(header[8])
            guard offset >= 9, offset <= 1024 else { throw ReadError.notFLV }
            guard buffer.readableBytes >= offset + 4 else { return nil }
            hasAudio = header[4] & 0x04 != 0
            hasVideo = header[4] & 0x01 != 0
            buffer.moveReaderIndex(forwardBy: offset + 4)
            headerRead = true
        }
        while true {
            guard let header = buffer.getBytes(at: buffer.readerIndex, length: FLVFileWriter.tagHeaderSize) else { return nil }
            let size = Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
            guard size <= maximumTagSize else { throw ReadError.tagTooLarge(size) }
            guard buffer.readableBytes >= FLVFileWriter.tagHeaderSize + size + 4 else { return nil }
            guard header[0] & 0x20 == 0 else { throw ReadError.encryptedTag }
            let timestamp = UInt32(header[7]) << 24 | UInt32(header[4]) << 16 | UInt32(header[5]) << 8 | UInt32(header[6])
            buffer.moveReaderIndex(forwardBy: FLVFileWriter.tagHeaderSize)
            let payload = buffer.readSlice(length: size) ?? ByteBuffer()
            buffer.moveReaderIndex(forwardBy: 4)
            buffer.discardReadBytes()
            guard let kind = MediaFrame.Kind(rawValue: header[0] & 0x1F) else { continue }
            return MediaFrame(kind: kind, timestamp: timestamp, payload: payload)
        }
    }
}
