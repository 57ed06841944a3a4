/// How a `MicroHTTPServer` listens and what it accepts.
public struct MicroHTTPServerConfiguration: Sendable {
    /// IPv4 or IPv6 literal ("127.0.0.1", "::1", "0.0.0.0").
    public var host: String
    /// 0 picks a free port (see `MicroHTTPServer.port`).
    public var port: Int
    /// Threads of the polling pool.
    public var threads: Int
    /// Largest request body kept; a larger one is read and discarded, and the request is flagged.
    public var bodyLimit: Int
    public var connectionTimeoutSeconds: Int
    public var connectionLimit: Int

    public init(host: String = "127.0.0.1", port: Int = 8080, threads: Int = 2, bodyLimit: Int = 1 << 20,
                connectionTimeoutSeconds: Int = 30, connectionLimit: Int = 1000) {
        self.host = host; self.port = port; self.threads = threads; self.bodyLimit = bodyLimit
        self.connectionTimeoutSeconds = connectionTimeoutSeconds; self.connectionLimit = connectionLimit
    }
}

/// Why a `MicroHTTPServer` did not start.
public enum MicroHTTPServerError: Error, CustomStringConvertible {
    case invalidAddress(String)
    case bindFailed(String)

    public var description: String {
        switch self {
        case .invalidAddress(let host): "'\(host)' is not an IPv4 or IPv6 address"
        case .bindFailed(let address): "cannot listen on \(address): address in use, not local, or not permitted"
        }
    }
}
