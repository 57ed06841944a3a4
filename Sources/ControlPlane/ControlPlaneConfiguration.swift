import ControlProtocol
import AdminAPI

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

    public init(role: String = "origin", http: ListenAddress, token: BearerToken? = nil, controlSocket: String,
                httpThreads: Int = 2, bodyLimit: Int = AdminRouter.defaultBodyLimit) {
        self.role = role; self.http = http; self.token = token; self.controlSocket = controlSocket
        self.httpThreads = httpThreads; self.bodyLimit = bodyLimit
    }

    /// Refuses an open admin API: a non-loopback address needs a token.
    public func validate() throws(ControlPlaneError) {
        if !http.isLoopback && token == nil { throw .openAPIWithoutToken(http.description) }
    }
}

/// Why `lsc-control` refuses to start.
public enum ControlPlaneError: Error, CustomStringConvertible {
    case openAPIWithoutToken(String)

    public var description: String {
        switch self {
        case .openAPIWithoutToken(let address):
            "refusing to serve the admin API on non-loopback address \(address) without authentication: pass --api-token-file FILE (or bind to 127.0.0.1)"
        }
    }
}
