import NIOCore

/// One fixed-size (32-byte) record of a recording's append-only index file.
///
/// ```
///  0      1      2       4           8                  16                 24         28      32
///  | kind | 0x01 | 0     | segment   | offset (u64)     | time ms (u64)    | wall s   | CRC-32 |
/// ```
/// Big-endian. `time` is recording time in milliseconds (0 = `startedAt` of the recording);
/// `wall` is whole seconds since `startedAt` when the record was written; the CRC covers bytes
/// 0..<28, so a torn or zeroed tail is recognised and dropped.
public struct DVRIndexRecord: Sendable, Equatable {
    public static let size = 32
    static let version: UInt8 = 1

    /// What a record points at.
    public enum Kind: UInt8, Sendable {
        /// A new segment file starts; `offset` is its first tag.
        case segmentStart = 1
        /// A video keyframe tag: a decoder can start here.
        case keyframe = 2
        /// An audio tag of a stream without video, at most one a second: a seek point.
        case audioSync = 3
        /// Video sequence header (e.g. AVCDecoderConfigurationRecord) tag.
        case videoConfig = 4
        /// Audio sequence header (e.g. AudioSpecificConfig) tag.
        case audioConfig = 5
        /// Script data (`onMetaData`) tag.
        case metadata = 6
        /// Periodic commit: everything before `offset` in `segment` is durable; `time` is the last frame's.
        case commit = 7
        /// A publisher (re)started: the next frames come from a new session (configs may change).
        case sessionStart = 8
        /// Recording stopped cleanly; `time` is the last frame's.
        case closed = 9
    }

    public var kind: Kind
    public var segment: UInt32
    public var offset: UInt64
    public var time: UInt64
    public var wallSeconds: UInt32

    public init(kind: Kind, segment: UInt32, offset: UInt64, time: UInt64, wallSeconds: UInt32) {
        self.kind = kind
        self.segment = segment
        self.offset = offset
        self.time = time
        self.wallSeconds = wallSeconds
    }

    public func encode(into buffer: inout ByteBuffer) {
        var body = [UInt8]()
        body.reserveCapacity(Self.size)
        body.append(kind.rawValue)
        body.append(Self.version)
        body.append(contentsOf: [0, 0])
        append(segment, to: &body)
        append(offset, to: &body)
        append(time, to: &body)
        append(wallSeconds, to: &body)
        append(CRC32.checksum(body), to: &body)
        buffer.writeBytes(body)
    }

    /// Decodes the record at the reader index of `buffer` (moving it on success); nil when the
    /// bytes are short, torn (CRC mismatch) or of an unknown kind or version.
    public static func decode(from buffer: inout ByteBuffer) -> DVRIndexRecord? {
        guard let bytes = buffer.getBytes(at: buffer.readerIndex, length: size),
              CRC32.checksum(bytes[0..<28]) == integer(bytes, at: 28, as: UInt32.self),
              bytes[1] == version, let kind = Kind(rawValue: bytes[0]) else { return nil }
        buffer.moveReaderIndex(forwardBy: size)
        return DVRIndexRecord(kind: kind, segment: integer(bytes, at: 4, as: UInt32.self),
                              offset: integer(bytes, at: 8, as: UInt64.self), time: integer(bytes, at: 16, as: UInt64.self),
                              wallSeconds: integer(bytes, at: 24, as: UInt32.self))
    }

    /// Decodes records from the start of `bytes` up to the first invalid one.
    /// Returns them and the length of the valid prefix (where a writer truncates the file).
    public static func decodeAll(_ bytes: ByteBuffer) -> (records: [DVRIndexRecord], validLength: Int) {
        var buffer = bytes
        var records: [DVRIndexRecord] = []
        records.reserveCapacity(buffer.readableBytes / size)
        while let record = decode(from: &buffer) { records.append(record) }
        return (records, records.count * size)
    }

    private func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    private static func integer<T: FixedWidthInteger>(_ bytes: [UInt8], at offset: Int, as: T.Type) -> T {
        var value: T = 0
        for byte in bytes[offset..<(offset + MemoryLayout<T>.size)] { value = value << 8 | T(byte) }
        return value
    }
}
