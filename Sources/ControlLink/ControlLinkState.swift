import ControlProtocol

/// The control plane's view of the data plane, as of the latest message.
public struct ControlLinkState: Sendable {
    public var connected: Bool
    /// The data plane's hello (kept after a disconnect, for `/api/v1/node`).
    public var hello: Hello?
    /// The latest snapshot of the current connection (nil while down).
    public var snapshot: DataPlaneSnapshot?
    /// Increases with every snapshot received.
    public var generation: UInt64

    public init(connected: Bool = false, hello: Hello? = nil, snapshot: DataPlaneSnapshot? = nil, generation: UInt64 = 0) {
        self.connected = connected; self.hello = hello; self.snapshot = snapshot; self.generation = generation
    }
}
