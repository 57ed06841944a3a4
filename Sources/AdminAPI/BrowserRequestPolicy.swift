/// Keeps web pages from driving the admin API through a user's browser: a page on another origin
/// cannot start exports or stop recordings of a loopback node (cross-site request forgery), and a
/// hostile DNS name rebound to 127.0.0.1 cannot read or write it (DNS rebinding).
///
/// - `Host` (requests without a bearer token, i.e. loopback nodes): its host name must be a
///   loopback name (`localhost`, `*.localhost`, `127.x.x.x`, `[::1]`) or the listen address; any
///   port, so that SSH tunnels and local proxies keep working. Otherwise 403 `forbidden-host`.
/// - `Origin` (every method but GET/HEAD/OPTIONS): absent (curl, scripts) or the request's own
///   origin, `http(s)://<Host>`; `null` and every other origin get 403 `forbidden-origin`. Same-origin
///   pages (the editor at `/editor/`) pass.
/// - A request body must be `Content-Type: application/json`, which a cross-site form or a
///   "simple" cross-origin `fetch` cannot send without a CORS preflight (that the API never
///   grants); otherwise 415 `unsupported-media-type`.
public struct BrowserRequestPolicy: Sendable {
    /// The host part of the admin API's listen address ("127.0.0.1", "::1", "0.0.0.0").
    public let listenHost: String
    /// Host names accepted besides loopback names and the listen address (lower-case).
    public let extraHosts: Set<String>
    /// Whether `Host` is checked: true without a bearer token (a token is a credential a hostile
    /// page does not have, and token-protected nodes are reached under DNS names).
    public let checksHost: Bool

    public init(listenHost: String, checksHost: Bool = true, extraHosts: [String] = []) {
        self.listenHost = listenHost.lowercased()
        self.checksHost = checksHost
        self.extraHosts = Set(extraHosts.map { $0.lowercased() })
    }

    static let safeMethods: Set<String> = ["GET", "HEAD", "OPTIONS"]

    public func check(_ request: APIRequest) throws(APIError) {
        let host = request.header("host")
        if checksHost {
            guard let host, let name = Self.hostName(host), isAllowed(name) else {
                throw APIError(status: 403, code: "forbidden-host",
                               message: "Host '\(host ?? "")' is not this node's address: use 127.0.0.1, localhost or the listen address")
            }
        }
        guard !Self.safeMethods.contains(request.method) else { return }
        if let origin = request.header("origin") {
            let same = host.map { ["http://" + $0.lowercased(), "https://" + $0.lowercased()].contains(origin.lowercased()) } ?? false
            guard same else {
                throw APIError(status: 403, code: "forbidden-origin",
                               message: "cross-origin request from '\(origin)' refused: the admin API accepts writes only from its own origin")
            }
        }
        if !request.body.isEmpty {
            let type = request.header("content-type")?.split(separator: ";").first?.trimmingWhitespace().lowercased()
            guard type == "application/json" else {
                throw APIError(status: 415, code: "unsupported-media-type",
                               message: "request bodies must be sent with 'Content-Type: application/json' (got '\(request.header("content-type") ?? "none")')")
            }
        }
    }

    func isAllowed(_ name: String) -> Bool {
        if name == "localhost" || name.hasSuffix(".localhost") || name == "::1" || name == listenHost || extraHosts.contains(name) { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// The host name of a `Host` header value (`name`, `name:port`, `[v6]`, `[v6]:port`),
    /// lower-case, without a trailing dot; nil when malformed.
    public static func hostName(_ value: String) -> String? {
        var text = Substring(value.lowercased())
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && UInt16(rest.dropFirst()) != nil) else { return nil }
            return String(text[text.index(after: text.startIndex)..<close])
        }
        if let colon = text.lastIndex(of: ":") {
            guard UInt16(text[text.index(after: colon)...]) != nil else { return nil }
            text = text[..<colon]
        }
        if text.hasSuffix(".") { text = text.dropLast() }
        guard !text.isEmpty, !text.contains(":") else { return nil }
        return String(text)
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return text
    }
}
