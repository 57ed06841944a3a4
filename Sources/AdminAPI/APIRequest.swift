/// One HTTP request as the admin API sees it: no sockets, so the router is tested in memory.
public struct APIRequest: Sendable {
    /// Upper-case method ("GET", "DELETE", ...).
    public var method: String
    /// Path without the query string, still percent-encoded.
    public var path: String
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, path: String, headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method.uppercased()
        self.path = path
        var lowered: [String: String] = [:]
        for (name, value) in headers { lowered[name.lowercased()] = value }
        self.headers = lowered
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}
