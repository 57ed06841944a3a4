import Foundation
import ISOBMFF
import NIOCore

/// Reads a file at arbitrary offsets with `pread`.
final class FileByteReader: RandomAccessByteReader {
    let descriptor: Int32
    let size: UInt64

    init(path: String) throws {
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw ISOBMFFError.readFailed("cannot open \(path): errno \(errno)") }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw ISOBMFFError.readFailed("cannot stat \(path)") }
        size = UInt64(info.st_size)
    }

    func read(at offset: UInt64, count: Int) throws -> ByteBuffer {
        guard offset <= size, UInt64(count) <= size - offset else {
            throw ISOBMFFError.truncated(context: "read of \(count) bytes at \(offset)")
        }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(count)
        var done = 0
        while done < count {
            let got = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count - done) { pointer in
                max(0, pread(descriptor, pointer.baseAddress, count - done, off_t(offset) + off_t(done)))
            }
            guard got > 0 else { throw ISOBMFFError.readFailed("short read at \(offset)") }
            done += got
        }
        return buffer
    }

    deinit { close(descriptor) }
}
