import ControlProtocol

/// What a `ControlLinkClient` subscriber sees: link changes and the data plane's events.
public enum ControlLinkEvent: Sendable, Equatable {
    case connected(Hello)
    case disconnected
    case event(DataPlaneEvent)
}
