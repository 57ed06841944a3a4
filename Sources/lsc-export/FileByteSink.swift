import Foundation
import HighlightExport
import NIOCore

/// Writes exported bytes to a new file through a 1 MiB buffer.
struct FileByteSink: ExportByteSink {
    let descriptor: Int32
    var pending = ByteBuffer()

    init(path: String) throws {
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else { throw ExportError.sourceFailed("cannot create \(path): errno \(errno)") }
    }

    mutating func write(_ bytes: ByteBuffer) throws {
        var bytes = bytes
        pending.writeBuffer(&bytes)
        if pending.readableBytes >= 1 << 20 { try flush() }
    }

    mutating func flush() throws {
        while pending.readableBytes > 0 {
            let written = pending.withUnsafeReadableBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { throw ExportError.sourceFailed("write failed: errno \(errno)") }
            pending.moveReaderIndex(forwardBy: written)
        }
        pending.clear()
    }

    mutating func close() throws {
        try flush()
        Foundation.close(descriptor)
    }
}
