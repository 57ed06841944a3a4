import NIOCore
import Synchronization

/// Serves small reads from larger blocks read ahead from another reader, so that reading the
/// samples of a cut one by one costs one read of the underlying file per block instead of one
/// per sample. Keeps the two most recently used blocks (one per track when the exporter walks an
/// audio and a video track of the same file). Reads at least as large as a block go straight
/// through. Safe to share between threads (VOD playback reads on a thread pool); the blocks are
/// read outside the lock.
public final class ReadAheadByteReader<Base: RandomAccessByteReader>: RandomAccessByteReader, @unchecked Sendable {
    private struct Block {
        var offset: UInt64
        var bytes: ByteBuffer
        var end: UInt64 { offset + UInt64(bytes.readableBytes) }
    }

    public let base: Base
    public let blockSize: Int
    private let blocks = Mutex<[Block]>([])

    public init(_ base: Base, blockSize: Int = 1 << 20) {
        self.base = base
        self.blockSize = max(1, blockSize)
    }

    public var size: UInt64 { base.size }

    public func read(at offset: UInt64, count: Int) throws -> ByteBuffer {
        guard count < blockSize else { return try base.read(at: offset, count: count) }
        let (end, overflow) = offset.addingReportingOverflow(UInt64(count))
        guard !overflow else { return try base.read(at: offset, count: count) }
        let cached: Block? = blocks.withLock { blocks in
            guard let index = blocks.firstIndex(where: { $0.offset <= offset && end <= $0.end }) else { return nil }
            let block = blocks.remove(at: index)
            blocks.append(block)
            return block
        }
        if let cached { return try Self.slice(cached, from: offset, count: count) }
        guard offset <= size, UInt64(count) <= size - offset else { return try base.read(at: offset, count: count) }
        let length = Int(min(UInt64(blockSize), size - offset))
        let block = Block(offset: offset, bytes: try base.read(at: offset, count: length))
        blocks.withLock { blocks in
            blocks.append(block)
            if blocks.count > 2 { blocks.removeFirst() }
        }
        return try Self.slice(block, from: offset, count: count)
    }

    private static func slice(_ block: Block, from offset: UInt64, count: Int) throws -> ByteBuffer {
        guard let slice = block.bytes.getSlice(at: block.bytes.readerIndex + Int(offset - block.offset), length: count) else {
            throw ISOBMFFError.truncated(context: "read of \(count) bytes at \(offset)")
        }
        return slice
    }
}
