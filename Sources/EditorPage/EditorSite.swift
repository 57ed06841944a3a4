import Foundation

/// Serves the editor page next to the admin API: `/` redirects to `/editor/`, `/editor/` is
/// `index.html`, `/editor/<file>` the page's files, with a strict Content-Security-Policy (no
/// inline scripts or styles). Pure: `(method, path, headers) -> response`, or nil for paths that
/// are not the page's (the API router answers those). The files are public, so no token is asked
/// here; the page sends the token with its API calls.
public struct EditorSite: Sendable {
    /// A response of the page.
    public struct Response: Sendable, Equatable {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]
    }

    public static let prefix = "/editor/"

    /// Scripts and styles only from the page's own files. Media and the playlists the player
    /// fetches come from the data plane's HTTP port, another origin, hence http:/https: there.
    public static let contentSecurityPolicy = [
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:",
        "media-src 'self' blob: http: https:", "connect-src 'self' http: https:", "manifest-src 'self'",
        "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    public let assets: EditorAssets

    public init(assets: EditorAssets = .bundled) { self.assets = assets }

    /// The page's answer for `path` (without query string), or nil when the path is not the page's.
    /// `headers` may use any case (`If-None-Match` is read).
    public func respond(method: String, path: String, headers: [String: String] = [:]) -> Response? {
        let file: String
        switch path {
        case "/": return guarded(method) { redirect(to: Self.prefix, status: 302) }
        case "/editor": return guarded(method) { redirect(to: Self.prefix, status: 301) }
        case Self.prefix: file = "index.html"
        default:
            guard path.hasPrefix(Self.prefix) else { return nil }
            file = String(path.dropFirst(Self.prefix.count))
        }
        let ifNoneMatch = Self.header("if-none-match", in: headers)
        return guarded(method) {
            // A dictionary lookup: `..`, `%2e` or absolute paths simply match nothing.
            guard let asset = assets.files[file] else {
                return text(404, "no such file in the editor page: \(path)\n")
            }
            var headers = Self.securityHeaders
            headers["Content-Type"] = asset.contentType
            headers["ETag"] = asset.etag
            // Revalidate every load (an upgraded binary serves a new page at once), cheaply by ETag.
            headers["Cache-Control"] = "no-cache"
            if let ifNoneMatch, Self.matches(ifNoneMatch, etag: asset.etag) {
                headers["Content-Type"] = nil
                return Response(status: 304, headers: headers, body: [])
            }
            return Response(status: 200, headers: headers, body: asset.body)
        }
    }

    static let securityHeaders: [String: String] = [
        "Content-Security-Policy": contentSecurityPolicy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    ]

    private func guarded(_ method: String, _ body: () -> Response) -> Response {
        guard method == "GET" || method == "HEAD" else {
            var response = text(405, "the editor page is read-only: GET or HEAD\n")
            response.headers["Allow"] = "GET, HEAD"
            return response
        }
        return body()
    }

    private func redirect(to location: String, status: Int) -> Response {
        var headers = Self.securityHeaders
        headers["Location"] = location
        headers["Content-Type"] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: Array("see \(location)\n".utf8))
    }

    private func text(_ status: Int, _ message: String) -> Response {
        var headers = Self.securityHeaders
        headers["Content-Type"] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: Array(message.utf8))
    }

    static func header(_ name: String, in headers: [String: String]) -> String? {
        headers.first { $0.key.lowercased() == name }?.value
    }

    /// `If-None-Match: "a", W/"b"` or `*`.
    static func matches(_ ifNoneMatch: String, etag: String) -> Bool {
        ifNoneMatch.split(separator: ",").contains { candidate in
            let trimmed = candidate.trimmingCharacters(in: .whitespaces)
            return trimmed == "*" || trimmed == etag || trimmed == "W/" + etag
        }
    }
}
