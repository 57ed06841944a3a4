import ControlProtocol
import Foundation

/// What the topology routes need from the control plane: the loaded `host.ini`, the failover
/// state machine's view, and a reload. Registered with `APIEnvironment.register(_:as:)`.
public protocol TopologyProvider: Sendable {
    /// The control plane's view (the route adds the data plane's part from the snapshot).
    func topology() -> TopologyResponse
    /// Re-reads `host.ini`: the new topology, 409 on a node without one, 422 with every bad line
    /// (the running configuration is kept).
    func reload() -> Result<TopologyResponse, APIError>
}

/// `GET /api/v1/topology` and `POST /api/v1/topology/reload`.
public struct TopologyResponse: Codable, Sendable, Equatable {
    /// "origin", "intermediate" or "edge".
    public var role: String
    /// Path of the `host.ini` in use (none on an origin).
    public var hostIni: String?
    /// When that file was (re)loaded.
    public var loadedAt: Date?
    /// Media inactivity after which the active upstream of a stream is abandoned.
    public var idleIntervalMs: Int
    /// "up" or "down": whether the control link to the data plane is up.
    public var dataPlane: String?
    /// Upstream server groups in file order.
    public var groups: [TopologyGroupDTO]
    /// Relayed streams and their upstream servers, by name.
    public var streams: [RelayedStreamDTO]
    /// The last 100 source changes, oldest first.
    public var failovers: [FailoverEventDTO]
    /// The data plane's upstream connections, from its latest snapshot (absent while it is down).
    public var dataPlaneUpstreams: [UpstreamSnapshot]?

    public init(role: String, hostIni: String? = nil, loadedAt: Date? = nil, idleIntervalMs: Int,
                dataPlane: String? = nil, groups: [TopologyGroupDTO] = [], streams: [RelayedStreamDTO] = [],
                failovers: [FailoverEventDTO] = [], dataPlaneUpstreams: [UpstreamSnapshot]? = nil) {
        self.role = role; self.hostIni = hostIni; self.loadedAt = loadedAt; self.idleIntervalMs = idleIntervalMs
        self.dataPlane = dataPlane; self.groups = groups; self.streams = streams; self.failovers = failovers
        self.dataPlaneUpstreams = dataPlaneUpstreams
    }
}

/// One upstream server group (one `host.ini` line) and its connection.
public struct TopologyGroupDTO: Codable, Sendable, Equatable {
    public var label: String
    /// The `host.ini` line it was read from.
    public var line: Int
    /// `host:port` of the primary and the secondary machine.
    public var primary: String
    public var secondary: String
    /// `app` or `app/instance` on the upstream machines.
    public var app: String
    /// Primary and secondary are the same machine.
    public var singleMachine: Bool
    /// "idle", "connecting", "connected" or "retrying".
    public var state: String
    /// The server (`host:port/app`) the group is connected to.
    public var server: String?
    /// "primary" or "secondary": which of the two `server` is.
    public var serverRole: String?
    /// The server being connected to ("connecting") or to be tried next ("retrying").
    public var attempting: String?
    /// Failed attempts since the group was last connected.
    public var failedAttempts: Int
    /// Reconnection attempts since the control plane started.
    public var totalRetries: Int
    /// Streams the connected server announced (its publisher list).
    public var publishers: [String]
    /// Why the last attempt failed or the last connection ended (e.g. "TLS handshake ... failed").
    public var lastError: String?

    public init(label: String, line: Int, primary: String, secondary: String, app: String, singleMachine: Bool,
                state: String, server: String? = nil, serverRole: String? = nil, attempting: String? = nil,
                failedAttempts: Int = 0, totalRetries: Int = 0, publishers: [String] = [], lastError: String? = nil) {
        self.label = label; self.line = line; self.primary = primary; self.secondary = secondary; self.app = app
        self.singleMachine = singleMachine; self.state = state; self.server = server; self.serverRole = serverRole
        self.attempting = attempting; self.failedAttempts = failedAttempts; self.totalRetries = totalRetries
        self.publishers = publishers
        self.lastError = lastError
    }
}

/// A stream this node relays, with its upstream servers (`host:port/app`).
public struct RelayedStreamDTO: Codable, Sendable, Equatable {
    public var name: String
    /// The server feeding it now.
    public var active: String?
    /// Servers that answered play, in failover order (the active one first).
    public var available: [String]
    /// Servers asked to play that have not answered yet.
    public var pending: [String]

    public init(name: String, active: String? = nil, available: [String] = [], pending: [String] = []) {
        self.name = name; self.active = active; self.available = available; self.pending = pending
    }
}

/// One failover: a stream's source changed (or was lost).
public struct FailoverEventDTO: Codable, Sendable, Equatable {
    public var time: Date
    public var stream: String
    public var from: String?
    /// Absent when no upstream was left.
    public var to: String?
    public var reason: String

    public init(time: Date, stream: String, from: String? = nil, to: String? = nil, reason: String) {
        self.time = time; self.stream = stream; self.from = from; self.to = to; self.reason = reason
    }
}

/// `GET /api/v1/children`.
public struct ChildListResponse: Codable, Sendable, Equatable {
    public var children: [ChildSnapshot]
}
