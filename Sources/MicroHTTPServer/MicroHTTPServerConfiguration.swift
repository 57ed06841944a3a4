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
    /// A connection idle (no byte received or sent) this long is closed.
    public var connectionTimeoutSeconds: Int
    /// Connections served at once; more are accepted and closed at once.
    public var connectionLimit: Int
    /// Connections one client IP address may hold, so that one slow or hostile client cannot
    /// take every slot (slowloris); 0 for no limit.
    public var perIPConnectionLimit: Int
    /// Bytes of buffers per connection (request line, headers, read and write buffers); a request
    /// whose headers do not fit is refused.
    public var connectionMemoryLimit: Int

    /// Defaults: 15 s idle timeout, 512 connections, 64 per client IP, 64 KiB per connection.
    public init(host: String = "127.0.0.1", port: Int = 8080, threads: Int = 2, bodyLimit: Int = 1 << 20,
                connectionTimeoutSeconds: Int = 15, connectionLimit: Int = 512, perIPConnectionLimit: Int = 64,
                connectionMemoryLimit: Int = 64 << 10) {
        self.host = host; self.port = port; self.threads = threads; self.bodyLimit = bodyLimit
        self.connectionTimeoutSeconds = connectionTimeoutSeconds; self.connectionLimit = connectionLimit
        self.perIPConnectionLimit = perIPConnectionLimit; self.connectionMemoryLimit = connectionMemoryLimit
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
