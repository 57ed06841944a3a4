/// A play name that asks for a recorded file instead of a live stream (FMS's VOD spelling):
///
/// | play name                                  | plays                                        |
/// |--------------------------------------------|----------------------------------------------|
/// | `mp4:exports/goal-1.f4v`                   | `<media>/exports/goal-1.f4v`                 |
/// | `mp4:sources/opener.mp4`, `mp4:sources/x`  | `<media>/sources/opener.mp4`; `x`, `x.f4v`, `x.mp4` |
/// | `flv:sources/clip.flv`, `flv:sources/clip` | `<media>/sources/clip.flv`                   |
/// | `mp4:dvr/livestream` (`.f4v` optional)     | the DVR recording of `livestream`            |
///
/// A name is VOD when, after an optional `mp4:`/`f4v:`/`flv:` prefix and without its `?query`,
/// it has a `/`; live names never do. Exactly one directory (`exports`, `sources` or `dvr`) and
/// one file name: no `..`, no hidden names, no absolute paths, so a name cannot leave the media
/// root by itself (the caller still checks where symbolic links lead).
public struct VODName: Equatable, Sendable {
    /// What the name points at.
    public enum Location: Equatable, Sendable {
        /// Paths relative to the media root to try, in order.
        case file(candidates: [String])
        /// The DVR recording of a stream.
        case recording(stream: String)
    }

    /// Why a VOD name is refused.
    public enum Error: Swift.Error, Equatable, Sendable, CustomStringConvertible {
        case notDirectoryAndFile(String)
        case unknownDirectory(String)
        case badFileName(String)

        public var description: String {
            switch self {
            case .notDirectoryAndFile(let path): return "'\(path)' is not <directory>/<file>"
            case .unknownDirectory(let name): return "'\(name)' is not a media directory (exports, sources, dvr)"
            case .badFileName(let name): return "'\(name)' is not a plain file name"
            }
        }
    }

    public var location: Location

    static let directories = ["exports", "sources", "dvr"]
    /// The type prefixes a played file name may carry (`mp4:exports/x.f4v`), lowercase.
    public static let prefixes = ["mp4:", "f4v:", "flv:"]

    /// `name` without its type prefix (any case), and the prefix found (lowercase, "" if none).
    public static func splittingPrefix(_ name: String) -> (prefix: String, rest: String) {
        guard let prefix = prefixes.first(where: { name.lowercased().hasPrefix($0) }) else { return ("", name) }
        return (prefix, String(name.dropFirst(prefix.count)))
    }
    static let mp4Extensions = [".f4v", ".mp4", ".m4v", ".mov"]

    /// nil when `raw` names a live stream; throws when it names a file the relay will not serve.
    public init?(_ raw: String) throws(Error) {
        var name = raw
        if let query = name.firstIndex(of: "?") { name = String(name[..<query]) }
        let prefix: String
        (prefix, name) = Self.splittingPrefix(name)
        guard name.contains("/") else { return nil }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { throw .notDirectoryAndFile(name) }
        guard Self.directories.contains(parts[0]) else { throw .unknownDirectory(parts[0]) }
        let file = parts[1]
        guard !file.isEmpty, !file.hasPrefix("."), file.utf8.count <= 255,
              !file.unicodeScalars.contains(where: { $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .badFileName(file)
        }
        let lower = file.lowercased()
        if parts[0] == "dvr" {
            var stream = file
            for ext in Self.mp4Extensions + [".flv"] where lower.hasSuffix(ext) && file.count > ext.count {
                stream = String(file.dropLast(ext.count))
                break
            }
            location = .recording(stream: stream)
            return
        }
        let path = parts[0] + "/" + file
        let hasExtension = (Self.mp4Extensions + [".flv"]).contains { lower.hasSuffix($0) }
        if hasExtension {
            location = .file(candidates: [path])
        } else if prefix == "mp4:" || prefix == "f4v:" {
            location = .file(candidates: [path] + Self.mp4Extensions.prefix(2).map { path + $0 })
        } else {
            location = .file(candidates: [path + ".flv"])
        }
    }
}

extension VODName {
    /// The play name as FMS reads it when a client put part of the media path into the
    /// application *instance*: librtmp and GStreamer split `rtmp://host/app/mp4:exports/x.f4v` at
    /// the last slash, so `connect` says `app/mp4:exports` and `play` says `mp4:x`. An instance
    /// that starts with `mp4:`/`f4v:`/`flv:` or is a media directory (`exports`, `sources`, `dvr`)
    /// is the front of the VOD name (`mp4:exports/x`); any other instance (`_definst_`) and any
    /// play name that has its own directory leave `play` as it is.
    /// - Parameters:
    ///   - app: `connect`'s app field as sent (`app[/instance][?query]`).
    ///   - play: `play`'s name.
    public static func joining(app: String, play: String) -> String {
        let path = app.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? app
        guard let slash = path.firstIndex(of: "/") else { return play }
        var instance = String(path[path.index(after: slash)...])
        var prefix = Self.prefixes.first { instance.lowercased().hasPrefix($0) }
        if let prefix { instance = String(instance.dropFirst(prefix.count)) }
        guard !instance.isEmpty, !instance.contains("/"), prefix != nil || directories.contains(instance) else { return play }
        var file = play
        if let playPrefix = prefixes.first(where: { file.lowercased().hasPrefix($0) }) {
            file = String(file.dropFirst(playPrefix.count))
            prefix = prefix ?? playPrefix
        }
        guard !file.isEmpty, !file.contains("/") else { return play }
        return (prefix ?? "") + instance + "/" + file
    }
}
