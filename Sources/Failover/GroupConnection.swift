import Topology

/// The connection of one upstream server group, as the failover state machine sees it.
public struct GroupConnection: Hashable, Sendable {
    /// Where the group's connection stands.
    public enum State: Hashable, Sendable {
        /// Not started yet.
        case idle
        /// A connection attempt to `server` is under way.
        case connecting(UpstreamServer)
        /// Connected to `server` (primary or secondary).
        case connected(UpstreamServer)
        /// Waiting for the retry timer before connecting to `next`.
        case waitingToRetry(next: UpstreamServer)
    }

    public var group: ServerGroup
    public var state: State
    /// Failed attempts since the group's connection was last up; picks primary or secondary.
    public var failedAttempts: Int
    /// Reconnection attempts made over the machine's life (for the API).
    public var totalRetries: Int
    /// Streams the connected server announced (`addStream` minus `removeStream`), sorted.
    public var publishers: [String]
    /// Why the last attempt failed or the last connection ended (e.g. an RTMPS certificate that
    /// did not verify); nil once connected again.
    public var lastError: String?

    init(group: ServerGroup) {
        self.group = group
        self.state = .idle
        self.failedAttempts = 0
        self.totalRetries = 0
        self.publishers = []
    }

    /// The server the group is connected to, if any.
    public var connectedServer: UpstreamServer? {
        if case .connected(let server) = state { return server }
        return nil
    }

    /// True when `server` is this group's primary or secondary.
    func contains(_ server: UpstreamServer) -> Bool {
        server == group.primaryServer || server == group.secondaryServer
    }

    /// The server for the next attempt: the primary `primaryAttempts` times, then the secondary
    /// once, and round again (a group of one retries its one machine).
    func serverForAttempt(primaryAttempts: Int) -> UpstreamServer {
        failedAttempts % (primaryAttempts + 1) < primaryAttempts ? group.primaryServer : group.secondaryServer
    }
}
