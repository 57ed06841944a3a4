import Foundation

/// The editor page's static files (`web/editor/`), compiled into the binary by the
/// EmbedEditorPage build plugin: relative path -> file, each with its content type and ETag.
public struct EditorAssets: Sendable {
    /// One file of the page.
    public struct File: Sendable, Equatable {
        public var contentType: String
        public var body: [UInt8]
        /// A strong validator of `body` (quoted, as sent in `ETag`).
        public var etag: String
    }

    public let files: [String: File]

    /// Files by path relative to `web/editor/` (e.g. `index.html`, `js/api.js`).
    public init(files: [String: [UInt8]]) {
        self.files = files.reduce(into: [:]) { result, entry in
            result[entry.key] = File(contentType: Self.contentType(of: entry.key), body: entry.value, etag: Self.etag(of: entry.value))
        }
    }

    /// The page as built into this binary.
    public static let bundled = EditorAssets(files: embedded.reduce(into: [:]) { result, entry in
        result[entry.key] = Data(base64Encoded: entry.value).map { [UInt8]($0) }
    })

    /// By extension; unknown types are `application/octet-stream` (served with `nosniff`).
    public static func contentType(of path: String) -> String {
        let ext = path.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch ext {
        case "html": return "text/html; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "json": return "application/json"
        case "webmanifest": return "application/manifest+json"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "ico": return "image/x-icon"
        case "txt": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }

    /// FNV-1a 64 of the bytes: enough to tell versions of a small file apart.
    static func etag(of bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }
}
