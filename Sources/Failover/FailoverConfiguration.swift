/// Tunables of the failover state machine, with the seed's defaults.
public struct FailoverConfiguration: Hashable, Sendable {
    /// Media inactivity after which the active upstream of a stream is abandoned (seed: 1 s).
    /// The data plane measures it and reports `FailoverInput.idle`.
    public var idleInterval: Duration
    /// Reconnection attempts to a failed group's primary before its secondary is tried (seed: 3).
    public var primaryAttempts: Int
    /// Delay before each background reconnection attempt of a group's first round (the primary
    /// `primaryAttempts` times, then the secondary once).
    public var retryDelay: Duration
    /// Longest delay: it doubles after every further full round of a group that stays down, up
    /// to this. Equal to `retryDelay` (the default), the delay is fixed.
    public var maximumRetryDelay: Duration
    /// How many failover records are kept (oldest dropped first).
    public var historyLimit: Int

    public init(idleInterval: Duration = .seconds(1), primaryAttempts: Int = 3,
                retryDelay: Duration = .seconds(1), maximumRetryDelay: Duration? = nil, historyLimit: Int = 100) {
        self.idleInterval = idleInterval
        self.primaryAttempts = max(1, primaryAttempts)
        self.retryDelay = retryDelay
        self.maximumRetryDelay = max(retryDelay, maximumRetryDelay ?? retryDelay)
        self.historyLimit = max(0, historyLimit)
    }

    /// The delay before the next attempt of a group that has failed `failedAttempts` times since
    /// it was last connected: `retryDelay` in the first round, doubled per further round, capped.
    public func retryDelay(afterFailedAttempts failedAttempts: Int) -> Duration {
        var delay = retryDelay
        var rounds = max(0, failedAttempts) / (primaryAttempts + 1)
        while rounds > 0 && delay < maximumRetryDelay {
            delay *= 2
            rounds -= 1
        }
        return min(delay, maximumRetryDelay)
    }

    /// `idleInterval` in whole milliseconds (the unit of the data plane's idle check).
    public var idleIntervalMilliseconds: Int {
        Int(idleInterval.components.seconds * 1000 + idleInterval.components.attoseconds / 1_000_000_000_000_000)
    }
}
