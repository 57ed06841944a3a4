import NIOCore

/// The few file operations the DVR store needs, injected so that the store's logic (tail repair,
/// retention) is tested in memory. Paths are plain `/`-joined strings.
public protocol DVRFileSystem: Sendable {
    /// Size in bytes, nil when the file does not exist.
    func fileSize(_ path: String) -> UInt64?
    /// Names in a directory (no `.`/`..`); empty when it does not exist.
    func listDirectory(_ path: String) -> [String]
    func createDirectory(_ path: String) throws
    /// Up to `length` bytes from `offset` (fewer at the end of the file).
    func readFile(_ path: String, offset: UInt64, length: Int) throws -> ByteBuffer
    /// Writes a temporary file, syncs it and renames it over `path`.
    func writeFileAtomically(_ path: String, _ bytes: ByteBuffer) throws
    /// Opens (creating if needed) a file for appending.
    func openForAppend(_ path: String) throws -> any DVRAppendFile
    func truncateFile(_ path: String, to size: UInt64) throws
    /// Removes a file or a directory with its contents; no error when missing.
    func removeItem(_ path: String) throws
    /// The path with every symbolic link, `.` and `..` resolved; nil when it does not exist.
    func resolvedPath(_ path: String) -> String?
}

extension DVRFileSystem {
    /// File systems without symbolic links (in-memory ones in tests) resolve a path to itself.
    public func resolvedPath(_ path: String) -> String? { fileSize(path) != nil || !listDirectory(path).isEmpty ? path : nil }
}

/// A file opened for appending by a DVR writer (used from one thread at a time).
public protocol DVRAppendFile: AnyObject {
    func write(_ bytes: ByteBuffer) throws
    /// Makes what was written durable (fsync).
    func sync() throws
    func close() throws
}

/// Errors of the DVR store.
public enum DVRError: Error, Equatable, CustomStringConvertible {
    /// The stream name cannot name a recording (empty or too long).
    case badStreamName(String)
    /// The directory holds no readable `recording.json`.
    case notARecording(String)
    /// A file operation failed; `errno`-style description.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .badStreamName(let name): return "stream name '\(name)' cannot be recorded"
        case .notARecording(let path): return "\(path) is not a DVR recording"
        case .io(let path, let reason): return "\(path): \(reason)"
        }
    }
}
