import ControlProtocol
import AdminAPI
import PlayAuthorization

/// `lsc-control`'s settings, with their defaults.
public struct ControlPlaneConfiguration: Sendable {
    /// "origin", "intermediate" or "edge".
    public var role: String
    /// Admin API address; default 127.0.0.1:8080.
    public var http: ListenAddress
    /// nil: no authentication, allowed on loopback only.
    public var token: BearerToken?
    /// Control socket of the data plane; default `./lsc-<role>.sock`.
    public var controlSocket: String
    public var httpThreads: Int
    public var bodyLimit: Int
    /// Media root shared with lsc-relay: recordings in `dvr/`, clips in `sources/`, exports in `exports/`.
    public var mediaRoot: String = "./media"
    /// The upstream server groups file; required on intermediate and edge nodes, refused on an
    /// origin (which has no upstream).
    public var hostINI: String?
    /// Media inactivity after which failover leaves an upstream; default 1 s (the seed's).
    public var idleInterval: Duration = .seconds(1)
    /// The admin HTTP server's bounds against slow clients (connections, per client IP, idle
    /// timeout, memory per connection); defaults in `MicroHTTPServerConfiguration`.
    public var httpConnectionLimit = 512
    public var httpPerIPConnectionLimit = 64
    public var httpTimeoutSeconds = 15
    /// Signs play URLs for `POST /api/v1/play-urls` (`--play-secret-file`, the relay's secret);
    /// nil: the route answers 503 not-configured.
    public var playSigner: PlayTokenSigner?
    /// Export job bounds (items per job, jobs pending, jobs at once).
    public var exportLimits = ExportJobs.Limits()

    public init(role: String = "origin", http: ListenAddress, token: BearerToken? = nil, controlSocket: String,
                httpThreads: Int = 2, bodyLimit: Int = AdminRouter.defaultBodyLimit) {
        self.role = role; self.http = http; self.token = token; self.controlSocket = controlSocket
        self.httpThreads = httpThreads; self.bodyLimit = bodyLimit
    }

    /// Refuses an open admin API (a non-loopback address needs a token), an intermediate or edge
    /// node without `host.ini`, an origin with one, and a non-positive idle interval.
    public func validate() throws(ControlPlaneError) {
        if !http.isLoopback && token == nil { throw .openAPIWithoutToken(http.description) }
        if role != "origin" && hostINI == nil { throw .hostINIRequired(role: role) }
        if role == "origin" && hostINI != nil { throw .hostINIOnOrigin }
        if idleInterval <= .zero { throw .invalidIdleInterval }
    }
}

/// Why `lsc-control` refuses to start.
public enum ControlPlaneError: Error, CustomStringConvertible {
    case openAPIWithoutToken(String)
    /// An intermediate or edge node needs its upstream groups.
    case hostINIRequired(role: String)
    /// An origin has no upstream: a `host.ini` there is a mistake (wrong role or wrong unit).
    case hostINIOnOrigin
    case invalidIdleInterval
    /// The `host.ini` file is unreadable or has bad lines.
    case invalidHostINI(HostINILoadError)

    public var description: String {
        switch self {
        case .openAPIWithoutToken(let address):
            "refusing to serve the admin API on non-loopback address \(address) without authentication: pass --api-token-file FILE (or bind to 127.0.0.1)"
        case .hostINIRequired(let role):
            "an \(role) node needs its upstream server groups: pass --host-ini FILE"
        case .hostINIOnOrigin:
            "--host-ini is for intermediate and edge nodes; an origin has no upstream (did you mean --role edge or --role intermediate?)"
        case .invalidIdleInterval:
            "the idle interval must be positive"
        case .invalidHostINI(let error):
            error.description
        }
    }
}
