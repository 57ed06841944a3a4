import NIOCore
import Recording
import Synchronization

/// An in-memory `DVRFileSystem` holding one fuzz input's files, for readers (repair may truncate).
final class FuzzDVRFileSystem: DVRFileSystem {
    private let files = Mutex<[String: [UInt8]]>([:])

    func setBytes(_ path: String, _ bytes: [UInt8]) { files.withLock { $0[path] = bytes } }

    func fileSize(_ path: String) -> UInt64? { files.withLock { $0[path].map { UInt64($0.count) } } }

    func listDirectory(_ path: String) -> [String] {
        let prefix = path + "/"
        return files.withLock { $0.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) } }
    }

    func createDirectory(_ path: String) throws {}

    func readFile(_ path: String, offset: UInt64, length: Int) throws -> ByteBuffer {
        try files.withLock {
            guard let bytes = $0[path] else { throw DVRError.io(path: path, reason: "missing") }
            let start = Int(min(offset, UInt64(bytes.count)))
            return ByteBuffer(bytes: bytes[start..<start + min(length, bytes.count - start)])
        }
    }

    func writeFileAtomically(_ path: String, _ bytes: ByteBuffer) throws { setBytes(path, Array(bytes.readableBytesView)) }

    // Readers (and repair) never append.
    func openForAppend(_ path: String) throws -> any DVRAppendFile { throw DVRError.io(path: path, reason: "read-only") }

    func truncateFile(_ path: String, to size: UInt64) throws {
        files.withLock { if let bytes = $0[path] { $0[path] = Array(bytes.prefix(Int(min(size, UInt64(bytes.count))))) } }
    }

    func removeItem(_ path: String) throws { _ = files.withLock { $0.removeValue(forKey: path) } }
}
