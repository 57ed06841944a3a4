/// A complete HTTP request as received by `MicroHTTPServer`.
public struct HTTPServerRequest: Sendable {
    public var method: String
    /// Path without the query string.
    public var path: String
    /// Header names as sent; a repeated header keeps its last value.
    public var headers: [String: String]
    /// The body, or empty when `bodyTooLarge`.
    public var body: [UInt8]
    /// The body went over the server's limit and was discarded: answer 413.
    public var bodyTooLarge: Bool
    /// `host:port` of the peer, when known.
    public var remoteAddress: String?

    public init(method: String, path: String, headers: [String: String] = [:], body: [UInt8] = [], bodyTooLarge: Bool = false,
                remoteAddress: String? = nil) {
        self.method = method; self.path = path; self.headers = headers; self.body = body
        self.bodyTooLarge = bodyTooLarge; self.remoteAddress = remoteAddress
    }
}
