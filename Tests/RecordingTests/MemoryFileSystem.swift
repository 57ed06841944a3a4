import NIOConcurrencyHelpers
import NIOCore
@testable import Recording

/// An in-memory DVRFileSystem whose files tests can tear.
final class MemoryFileSystem: DVRFileSystem, @unchecked Sendable {
    private let lock = NIOLock()
    private var files: [String: [UInt8]] = [:]
    private var directories: Set<String> = []

    func bytes(_ path: String) -> [UInt8] { lock.withLock { files[path] ?? [] } }
    func setBytes(_ path: String, _ bytes: [UInt8]) { lock.withLock { files[path] = bytes } }

    func fileSize(_ path: String) -> UInt64? { lock.withLock { files[path].map { UInt64($0.count) } } }

    func listDirectory(_ path: String) -> [String] {
        lock.withLock {
            let prefix = path + "/"
            let names = (Array(files.keys) + Array(directories)).filter { $0.hasPrefix(prefix) }
                .map { String($0.dropFirst(prefix.count).split(separator: "/").first ?? "") }
            return Array(Set(names)).filter { !$0.isEmpty }
        }
    }

    func createDirectory(_ path: String) throws { _ = lock.withLock { directories.insert(path) } }

    func readFile(_ path: String, offset: UInt64, length: Int) throws -> ByteBuffer {
        try lock.withLock {
            guard let bytes = files[path] else { throw DVRError.io(path: path, reason: "missing") }
            let start = min(Int(offset), bytes.count)
            return ByteBuffer(bytes: bytes[start..<min(bytes.count, start + length)])
        }
    }

    func writeFileAtomically(_ path: String, _ bytes: ByteBuffer) throws { lock.withLock { files[path] = Array(bytes.readableBytesView) } }

    func openForAppend(_ path: String) throws -> any DVRAppendFile {
        lock.withLock { if files[path] == nil { files[path] = [] } }
        return MemoryAppendFile(system: self, path: path)
    }

    func append(_ path: String, _ bytes: ByteBuffer) { lock.withLock { files[path, default: []] += bytes.readableBytesView } }

    func truncateFile(_ path: String, to size: UInt64) throws {
        lock.withLock { if let bytes = files[path] { files[path] = Array(bytes.prefix(Int(size))) } }
    }

    func removeItem(_ path: String) throws {
        lock.withLock {
            files = files.filter { $0.key != path && !$0.key.hasPrefix(path + "/") }
            directories = directories.filter { $0 != path && !$0.hasPrefix(path + "/") }
        }
    }
}

final class MemoryAppendFile: DVRAppendFile {
    let system: MemoryFileSystem
    let path: String
    init(system: MemoryFileSystem, path: String) { self.system = system; self.path = path }
    func write(_ bytes: ByteBuffer) throws { system.append(path, bytes) }
    func sync() throws {}
    func close() throws {}
}
