import ISOBMFF
import NIOCore
import Recording

/// Random access reads of one file through a `DVRFileSystem` (the local disk in the processes,
/// memory in tests), for `MP4Reader`, `MP4ClipSource` and `FLVClipSource`.
public struct FileSystemByteReader: RandomAccessByteReader {
    public let files: any DVRFileSystem
    public let path: String
    public let size: UInt64

    public init(files: any DVRFileSystem, path: String, size: UInt64) {
        self.files = files
        self.path = path
        self.size = size
    }

    public func read(at offset: UInt64, count: Int) throws -> ByteBuffer {
        let buffer = try files.readFile(path, offset: offset, length: count)
        guard buffer.readableBytes == count else { throw DVRError.io(path: path, reason: "short read at \(offset)") }
        return buffer
    }
}
