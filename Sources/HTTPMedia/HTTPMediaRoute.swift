import Foundation
import HighlightExport
import RTMP

/// What a request path asks the relay's HTTP port for. Pure: the shell maps it to bytes.
///
/// | path                                   | route                          |
/// |----------------------------------------|--------------------------------|
/// | `/A/S`                                 | player page of stream S        |
/// | `/A/S.flv`, `/A/S.mp4`                 | HTTP-FLV, progressive fMP4     |
/// | `/A/S/index.m3u8`                      | LL-HLS playlist                |
/// | `/A/S/init<g>.mp4`, `s<n>.m4s`, `p<n>.m4s` | LL-HLS init, segment, part |
/// | `/A/S/dvr.m3u8`, `/A/S/dvr/init.mp4`, `/A/S/dvr/<a>-<b>.m4s` | DVR rewind |
/// | `/vod/exports/NAME`, `/vod/sources/NAME` | a file, with Range            |
/// | `/vod/sources/NAME/index.m3u8`, `init.mp4`, `<a>-<b>.m4s` | a clip as HLS   |
/// | `/player/<asset>`                      | the player page's JS and CSS   |
///
/// Paths are percent-decoded once, then every segment is checked: no `..`, no `.`-prefixed
/// names, no backslash or control character, so `%2e%2e` and friends never reach a file name.
public enum HTTPMediaRoute: Equatable, Sendable {
    case playerPage(stream: String)
    case flv(stream: String)
    case mp4(stream: String)
    case hlsPlaylist(stream: String)
    case hlsInit(stream: String, generation: Int)
    case hlsSegment(stream: String, sequenceNumber: Int)
    case hlsPart(stream: String, number: Int)
    case dvrPlaylist(stream: String)
    case dvrInit(stream: String)
    case dvrSegment(stream: String, start: UInt64, end: UInt64)
    case file(directory: String, name: String)
    /// HLS of an on-demand clip (`/vod/sources/NAME/index.m3u8`, `init.mp4`, `<a>-<b>.m4s`).
    case clipPlaylist(name: String)
    case clipInit(name: String)
    case clipSegment(name: String, start: UInt64, end: UInt64)
    case asset(name: String)

    /// The player page's static files.
    public static let assets = ["player.js", "player.css"]

    /// The route for `path` (without the query) on a node serving `app`; nil: 404.
    public init?(path: String, app: String) {
        guard path.hasPrefix("/"), path.utf8.count <= 1024, let decoded = Self.percentDecoded(path.dropFirst()) else { return nil }
        let parts = decoded.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.allSatisfy(Self.isPlainSegment) else { return nil }
        switch parts.count {
        case 2 where parts[0] == "player":
            guard Self.assets.contains(parts[1]) else { return nil }
            self = .asset(name: parts[1])
        case 2 where parts[0] == app:
            let name = parts[1]
            if name.hasSuffix(".flv"), let stream = Self.stream(String(name.dropLast(4))) {
                self = .flv(stream: stream)
            } else if name.hasSuffix(".mp4"), let stream = Self.stream(String(name.dropLast(4))) {
                self = .mp4(stream: stream)
            } else if name.hasSuffix(".m3u8"), let stream = Self.stream(String(name.dropLast(5))) {
                self = .hlsPlaylist(stream: stream)
            } else if let stream = Self.stream(name) {
                self = .playerPage(stream: stream)
            } else {
                return nil
            }
        case 3 where parts[0] == "vod":
            guard parts[1] == "exports" || parts[1] == "sources" else { return nil }
            self = .file(directory: parts[1], name: parts[2])
        case 3 where parts[0] == app:
            guard let stream = Self.stream(parts[1]) else { return nil }
            let file = parts[2]
            if file == "index.m3u8" {
                self = .hlsPlaylist(stream: stream)
            } else if file == "dvr.m3u8" {
                self = .dvrPlaylist(stream: stream)
            } else if let number = Self.number(file, prefix: "init", suffix: ".mp4") {
                self = .hlsInit(stream: stream, generation: number)
            } else if let number = Self.number(file, prefix: "s", suffix: ".m4s") {
                self = .hlsSegment(stream: stream, sequenceNumber: number)
            } else if let number = Self.number(file, prefix: "p", suffix: ".m4s") {
                self = .hlsPart(stream: stream, number: number)
            } else {
                return nil
            }
        case 4 where parts[0] == "vod" && parts[1] == "sources":
            let name = parts[2]
            switch parts[3] {
            case "index.m3u8": self = .clipPlaylist(name: name)
            case "init.mp4": self = .clipInit(name: name)
            default:
                guard let (start, end) = Self.bounds(parts[3]) else { return nil }
                self = .clipSegment(name: name, start: start, end: end)
            }
        case 4 where parts[0] == app && parts[2] == "dvr":
            guard let stream = Self.stream(parts[1]) else { return nil }
            if parts[3] == "init.mp4" {
                self = .dvrInit(stream: stream)
                return
            }
            guard let (start, end) = Self.bounds(parts[3]) else { return nil }
            self = .dvrSegment(stream: stream, start: start, end: end)
        default:
            return nil
        }
    }

    /// The live stream this route is about, if any.
    public var stream: String? {
        switch self {
        case .playerPage(let stream), .flv(let stream), .mp4(let stream), .hlsPlaylist(let stream), .hlsInit(let stream, _),
             .hlsSegment(let stream, _), .hlsPart(let stream, _), .dvrPlaylist(let stream), .dvrInit(let stream),
             .dvrSegment(let stream, _, _):
            return stream
        case .file, .asset, .clipPlaylist, .clipInit, .clipSegment:
            return nil
        }
    }

    /// The play names a signed token (`--play-secret-file`) may be for to authorize this route:
    /// the live stream's name, or a file's VOD name as RTMP plays it (`mp4:exports/x.f4v`, with
    /// or without its `VODName.prefixes` prefix); nil for the player's static assets, which
    /// need none.
    public var playNames: [String]? {
        if let stream { return [stream] }
        switch self {
        case .file(let directory, let name):
            return Self.vodNames(directory: directory, name: name)
        case .clipPlaylist(let name), .clipInit(let name), .clipSegment(let name, _, _):
            return Self.vodNames(directory: "sources", name: name)
        default:
            return nil
        }
    }

    private static func vodNames(directory: String, name: String) -> [String] {
        let path = "\(directory)/\(name)"
        return [path] + VODName.prefixes.map { $0 + path }
    }

    private static func stream(_ raw: String) -> String? {
        guard let name = try? StreamName.normalize(raw), name == raw else { return nil }
        return name
    }

    /// `<start>-<end>.m4s` in milliseconds, end after start.
    private static func bounds(_ file: String) -> (UInt64, UInt64)? {
        guard file.hasSuffix(".m4s") else { return nil }
        let bounds = file.dropLast(4).split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, bounds.allSatisfy({ !$0.isEmpty && $0.count <= 15 && $0.allSatisfy(\.isASCIIDigit) }),
              let start = UInt64(bounds[0]), let end = UInt64(bounds[1]), end > start else { return nil }
        return (start, end)
    }

    private static func number(_ file: String, prefix: String, suffix: String) -> Int? {
        guard file.hasPrefix(prefix), file.hasSuffix(suffix) else { return nil }
        let digits = file.dropFirst(prefix.count).dropLast(suffix.count)
        guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(digits)
    }

    private static func isPlainSegment(_ segment: String) -> Bool {
        !segment.isEmpty && !segment.hasPrefix(".") && segment.utf8.count <= 255
            && !segment.unicodeScalars.contains { $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F }
    }

    /// `%XX` decoded once; nil for a malformed escape, invalid UTF-8 or an encoded `/` or NUL.
    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            let value = high << 4 | low
            guard value != UInt8(ascii: "/"), value != 0 else { return nil }
            bytes.append(value)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// A URL query (`a=1&b=2`), percent-decoded, first value wins.
public struct HTTPQuery: Equatable, Sendable {
    public var values: [String: String]

    public init(_ query: String?) {
        var values: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = HTTPMediaRoute.percentDecoded(kv[0]) ?? ""
            let value = kv.count > 1 ? HTTPMediaRoute.percentDecoded(Substring(kv[1].replacingOccurrences(of: "+", with: " "))) ?? "" : ""
            if values[key] == nil { values[key] = value }
        }
        self.values = values
    }

    public subscript(_ key: String) -> String? { values[key] }
}
