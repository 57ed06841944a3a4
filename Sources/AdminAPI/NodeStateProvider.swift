import ControlProtocol
import Foundation

/// Where the core routes get the node's state from: the control plane implements it over the
/// control link; tests implement it in memory.
public protocol NodeStateProvider: Sendable {
    /// The current state; cheap, called once per request.
    func state() -> NodeState
    /// Asks the data plane to disconnect a client; nil when the data plane did not answer
    /// (link down or timeout).
    func disconnectClient(id: String) -> CommandOutcome?
    /// Asks the data plane for every client (it sends the list only on demand); a 503
    /// `data-plane-unavailable` error when it did not send it (link down, timeout, too large).
    func clientList() -> Result<[ClientSnapshot], APIError>
}

/// A consistent view of the node at one instant.
public struct NodeState: Sendable {
    /// "origin", "intermediate" or "edge".
    public var role: String
    /// `host:port` the admin API listens on.
    public var httpListen: String
    public var controlStartedAt: Date
    public var now: Date
    /// Whether the control link to the data plane is up.
    public var linkUp: Bool
    /// The data plane's hello, from the current connection or the last one.
    public var hello: Hello?
    /// The latest snapshot while the link is up.
    public var snapshot: DataPlaneSnapshot?
    /// Increases with every new snapshot: lets handlers reuse bodies encoded from the same one.
    public var snapshotGeneration: UInt64
    /// Admin API responses so far by status code.
    public var apiRequests: [Int: UInt64]

    public init(role: String, httpListen: String, controlStartedAt: Date, now: Date, linkUp: Bool,
                hello: Hello? = nil, snapshot: DataPlaneSnapshot? = nil, snapshotGeneration: UInt64 = 0,
                apiRequests: [Int: UInt64] = [:]) {
        self.role = role; self.httpListen = httpListen; self.controlStartedAt = controlStartedAt; self.now = now
        self.linkUp = linkUp; self.hello = hello; self.snapshot = snapshot
        self.snapshotGeneration = snapshotGeneration; self.apiRequests = apiRequests
    }

    /// The snapshot, or the 503 every data-plane route answers while the link is down.
    public func requireSnapshot() throws(APIError) -> DataPlaneSnapshot {
        guard linkUp, let snapshot else { throw .dataPlaneUnavailable }
        return snapshot
    }
}
