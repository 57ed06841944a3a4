/// Stream names as clients send them, normalized to the one live-stream key the relay uses.
///
/// `mp4:livestream.f4v`, `livestream.f4v`, `livestream` and `livestream?token=x` all name the
/// live stream `livestream` (the seed's FMLE/H.264 spelling and the plain one are the same stream).
public enum StreamName {
    public enum Error: Swift.Error, Equatable, Sendable, CustomStringConvertible {
        case empty
        case tooLong
        case invalidCharacter
        case pathTraversal

        public var description: String {
            switch self {
            case .empty: return "empty stream name"
            case .tooLong: return "stream name longer than 200 bytes"
            case .invalidCharacter: return "stream name contains '/', '\\' or a control character"
            case .pathTraversal: return "stream name contains '..'"
            }
        }
    }

    static let prefixes = ["mp4:", "flv:", "f4v:", "mp3:", "id3:"]
    static let extensions = [".f4v", ".mp4", ".flv", ".m4v", ".mov"]

    /// The normalized live-stream name, or why the name is refused. Names become file names in
    /// the DVR, so separators, `..` and control characters are refused here, at the edge.
    public static func normalize(_ raw: String) throws(Error) -> String {
        var name = raw
        if let query = name.firstIndex(of: "?") { name = String(name[..<query]) }
        for prefix in prefixes where name.lowercased().hasPrefix(prefix) {
            name = String(name.dropFirst(prefix.count))
            break
        }
        for ext in extensions where name.lowercased().hasSuffix(ext) && name.count > ext.count {
            name = String(name.dropLast(ext.count))
            break
        }
        guard !name.isEmpty else { throw .empty }
        guard name.utf8.count <= 200 else { throw .tooLong }
        guard !name.contains("..") else { throw .pathTraversal }
        guard !name.unicodeScalars.contains(where: { $0 == "/" || $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .invalidCharacter
        }
        return name
    }
}
