#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NIOCore

/// The DVR file layer on the local disk (POSIX calls; blocking, so only for writer threads and
/// thread pools, never an event loop).
public struct LocalDVRFileSystem: DVRFileSystem {
    public init() {}

    public func fileSize(_ path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt64(info.st_size)
    }

    public func listDirectory(_ path: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    }

    public func createDirectory(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        catch { throw DVRError.io(path: path, reason: "\(error)") }
    }

    public func readFile(_ path: String, offset: UInt64, length: Int) throws -> ByteBuffer {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.error(path) }
        defer { _ = close(fd) }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(length)
        var total = 0
        while total < length {
            let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length - total) { pointer in
                let result = pread(fd, pointer.baseAddress, min(pointer.count, length - total), off_t(offset) + off_t(total))
                return max(0, result)
            }
            if count == 0 { break }
            total += count
        }
        return buffer
    }

    public func writeFileAtomically(_ path: String, _ bytes: ByteBuffer) throws {
        let temporary = path + ".tmp"
        let file = try LocalAppendFile(path: temporary, truncate: true)
        try file.write(bytes)
        try file.sync()
        try file.close()
        guard rename(temporary, path) == 0 else { throw Self.error(path) }
    }

    public func openForAppend(_ path: String) throws -> any DVRAppendFile { try LocalAppendFile(path: path, truncate: false) }

    public func truncateFile(_ path: String, to size: UInt64) throws {
        guard truncate(path, off_t(size)) == 0 else { throw Self.error(path) }
    }

    public func removeItem(_ path: String) throws {
        guard fileSize(path) != nil else { return }
        do { try FileManager.default.removeItem(atPath: path) }
        catch { throw DVRError.io(path: path, reason: "\(error)") }
    }

    public func resolvedPath(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    static func error(_ path: String) -> DVRError { .io(path: path, reason: String(cString: strerror(errno))) }
}

/// A local file opened with O_APPEND.
final class LocalAppendFile: DVRAppendFile {
    private var fd: Int32
    private let path: String

    init(path: String, truncate: Bool) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0o644)
        guard fd >= 0 else { throw LocalDVRFileSystem.error(path) }
    }

    deinit { if fd >= 0 { _ = Glibc.close(fd) } }

    func write(_ bytes: ByteBuffer) throws {
        try bytes.withUnsafeReadableBytes { pointer in
            var done = 0
            while done < pointer.count {
                let result = Glibc.write(fd, pointer.baseAddress! + done, pointer.count - done)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw LocalDVRFileSystem.error(path)
                }
                done += result
            }
        }
    }

    func sync() throws {
        guard fd >= 0, fsync(fd) == 0 else { throw LocalDVRFileSystem.error(path) }
    }

    func close() throws {
        guard fd >= 0 else { return }
        let result = Glibc.close(fd)
        fd = -1
        guard result == 0 else { throw LocalDVRFileSystem.error(path) }
    }
}
