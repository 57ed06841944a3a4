import NIOCore

/// Random access to the bytes of a file that the caller owns (opened, cached and closed by it),
/// so that the readers in this module never touch the file system.
public protocol RandomAccessByteReader {
    /// Total number of bytes available.
    var size: UInt64 { get }
    /// Returns exactly `count` bytes starting at `offset`, or throws.
    func read(at offset: UInt64, count: Int) throws -> ByteBuffer
}

/// A `RandomAccessByteReader` over bytes already in memory (tests and small files).
public struct InMemoryByteReader: RandomAccessByteReader, Sendable {
    public var buffer: ByteBuffer

    public init(_ buffer: ByteBuffer) { self.buffer = buffer }

    public var size: UInt64 { UInt64(buffer.readableBytes) }

    public func read(at offset: UInt64, count: Int) throws -> ByteBuffer {
        guard count >= 0, offset <= size, UInt64(count) <= size - offset,
              let slice = buffer.getSlice(at: buffer.readerIndex + Int(offset), length: count) else {
            throw ISOBMFFError.truncated(context: "read of \(count) bytes at \(offset)")
        }
        return slice
    }
}
