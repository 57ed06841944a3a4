/// The one rule for file and stream names that arrive from outside (API bodies and paths, play
/// names): what may name something under the media root. Pure, so it is tested without files.
public enum MediaFileName {
    /// Longest file name accepted, in UTF-8 bytes (the usual file-system limit).
    public static let maxFileNameBytes = 255

    /// Why a name is refused; `description` is the API's 400 message.
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case empty
        case tooLong(bytes: Int, limit: Int)
        /// NUL, another C0 control character or DEL.
        case controlCharacter
        /// `/` or `\` (an absolute path or a path into another directory).
        case pathSeparator
        case dotDot
        /// Starts with `.` (hidden files, and the exporter's temporary files).
        case hidden

        public var description: String {
            switch self {
            case .empty: "the name is empty"
            case let .tooLong(bytes, limit): "the name is \(bytes) bytes long (at most \(limit))"
            case .controlCharacter: "the name contains a NUL byte or another control character"
            case .pathSeparator: "the name contains a path separator ('/' or '\\'): only plain file names, no paths"
            case .dotDot: "the name contains '..'"
            case .hidden: "the name starts with '.' (hidden files are not served)"
            }
        }
    }

    /// Checks a plain file name (no directories) under `sources/` or `exports/`.
    public static func check(_ name: String) throws(Problem) {
        try checkCharacters(name, limit: maxFileNameBytes)
        if name.contains("/") || name.contains("\\") { throw .pathSeparator }
        if name.contains("..") { throw .dotDot }
        if name.hasPrefix(".") { throw .hidden }
    }

    /// Checks a stream name used to address a recording: 1 to `DVRName.maxStreamNameLength` bytes,
    /// no control characters (recording directories escape every other byte).
    public static func checkStream(_ name: String) throws(Problem) {
        try checkCharacters(name, limit: DVRName.maxStreamNameLength)
    }

    private static func checkCharacters(_ name: String, limit: Int) throws(Problem) {
        if name.isEmpty { throw .empty }
        let bytes = name.utf8.count
        if bytes > limit { throw .tooLong(bytes: bytes, limit: limit) }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { throw .controlCharacter }
    }
}
