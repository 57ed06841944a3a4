import Dispatch
import ISOBMFF
import NIOCore
import Synchronization
import Testing

/// Counts the reads that reach the underlying reader.
private final class CountingReader: RandomAccessByteReader {
    let inner: InMemoryByteReader
    var reads: [(UInt64, Int)] = []
    init(_ bytes: [UInt8]) { inner = InMemoryByteReader(ByteBuffer(bytes: bytes)) }
    var size: UInt64 { inner.size }
    func read(at offset: UInt64, count: Int) throws -> ByteBuffer {
        reads.append((offset, count))
        return try inner.read(at: offset, count: count)
    }
}

@Suite struct ReadAheadByteReaderTests {
    let bytes = (0..<1000).map { UInt8($0 % 251) }

    @Test func smallSequentialReadsAreServedFromOneBlock() throws {
        let base = CountingReader(bytes)
        let reader = ReadAheadByteReader(base, blockSize: 256)
        for offset in stride(from: 0, to: 250, by: 10) {
            #expect(try reader.read(at: UInt64(offset), count: 10) == ByteBuffer(bytes: bytes[offset..<offset + 10]))
        }
        #expect(base.reads.count == 1)
    }

    @Test func twoInterleavedRegionsKeepTheirBlocks() throws {
        let base = CountingReader(bytes)
        let reader = ReadAheadByteReader(base, blockSize: 100)
        for step in 0..<5 {
            _ = try reader.read(at: UInt64(step * 10), count: 10)        // one track near the start
            _ = try reader.read(at: UInt64(600 + step * 10), count: 10)  // the other further on
        }
        #expect(base.reads.count == 2)
    }

    @Test func largeReadsAndTheEndOfTheFileAreExact() throws {
        let base = CountingReader(bytes)
        let reader = ReadAheadByteReader(base, blockSize: 64)
        #expect(try reader.read(at: 100, count: 200) == ByteBuffer(bytes: bytes[100..<300]))
        #expect(try reader.read(at: 990, count: 10) == ByteBuffer(bytes: bytes[990..<1000]))
        #expect(throws: (any Error).self) { try reader.read(at: 995, count: 10) }
    }

    @Test func sharedBetweenThreadsEveryReadIsRight() {
        let reader = ReadAheadByteReader(InMemoryByteReader(ByteBuffer(bytes: bytes)), blockSize: 64)
        let wrong = Atomic(0)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for step in 0..<500 {
                let offset = (thread * 131 + step * 17) % 990
                if (try? reader.read(at: UInt64(offset), count: 10)) != ByteBuffer(bytes: bytes[offset..<offset + 10]) {
                    wrong.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(wrong.load(ordering: .relaxed) == 0)
    }
}
