/// Receives the data plane's events as they happen; the control link forwards them to
/// `lsc-control`. The data plane holds one and never blocks on it.
public protocol DataPlaneEventSink: Sendable {
    func emit(_ event: DataPlaneEvent)
}

/// What the control link needs from the data plane: who it is, its state, and the commands it runs.
public protocol DataPlaneCommandHandler: Sendable {
    func hello() -> Hello
    func snapshot() -> DataPlaneSnapshot
    /// Every RTMP connection, oldest first: built only when the control plane asks (`listClients`).
    func clientList() -> [ClientSnapshot]
    func execute(_ command: ControlCommand) async -> CommandOutcome
}

/// Result of one control command on the data plane.
public enum CommandOutcome: Sendable, Equatable {
    case ok(message: String? = nil)
    /// `code` is machine-readable ("not-found", "bad-request", "unsupported").
    case failed(code: String, message: String)
}

/// An event sink that drops everything: for a data plane started without a control socket, and tests.
public struct DiscardingEventSink: DataPlaneEventSink {
    public init() {}
    public func emit(_ event: DataPlaneEvent) {}
}
