/// Tunables of the failover state machine, with the seed's defaults.
public struct FailoverConfiguration: Hashable, Sendable {
    /// Media inactivity after which the active upstream of a stream is abandoned (seed: 1 s).
    /// The data plane measures it and reports `FailoverInput.idle`.
    public var idleInterval: Duration
    /// Reconnection attempts to a failed group's primary before its secondary is tried (seed: 3).
    public var primaryAttempts: Int
    /// Delay before each background reconnection attempt.
    public var retryDelay: Duration
    /// How many failover records are kept (oldest dropped first).
    public var historyLimit: Int

    public init(idleInterval: Duration = .seconds(1), primaryAttempts: Int = 3,
                retryDelay: Duration = .seconds(1), historyLimit: Int = 100) {
        self.idleInterval = idleInterval
        self.primaryAttempts = max(1, primaryAttempts)
        self.retryDelay = retryDelay
        self.historyLimit = max(0, historyLimit)
    }

    /// `idleInterval` in whole milliseconds (the unit of the data plane's idle check).
    public var idleIntervalMilliseconds: Int {
        Int(idleInterval.components.seconds * 1000 + idleInterval.components.attoseconds / 1_000_000_000_000_000)
    }
}
