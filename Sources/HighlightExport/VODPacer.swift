/// Decides when VOD frames are due: media time runs at real time from the first frame sent, plus
/// a small lead so that a player's buffer fills at once (ffplay starts without waiting), and the
/// reader keeps `readAhead` of media buffered beyond what is due. Clock values are injected
/// (nanoseconds of any monotonic clock), so the pacing is tested without time passing.
public struct VODPacer: Sendable, Equatable {
    /// Milliseconds of media sent ahead of real time.
    public var lead: Int64
    /// Milliseconds of media to hold in the buffer beyond what is due.
    public var readAhead: Int64
    private var anchorClock: UInt64 = 0
    private var anchorMedia: Int64 = 0
    public private(set) var isRunning = false

    public init(lead: Int64 = 1000, readAhead: Int64 = 3000) {
        self.lead = lead
        self.readAhead = readAhead
    }

    /// (Re)starts the media clock at `media` milliseconds now: at play, after a seek, on unpause.
    public mutating func start(media: Int64, now: UInt64) {
        anchorClock = now
        anchorMedia = media
        isRunning = true
    }

    /// Stops the clock (pause): nothing is due until the next `start`.
    public mutating func stop() { isRunning = false }

    /// The latest media timestamp that may be sent at `now`.
    public func horizon(now: UInt64) -> Int64 {
        guard isRunning else { return Int64.min }
        let elapsed = Int64(clamping: (now &- anchorClock) / 1_000_000)
        return anchorMedia + (now >= anchorClock ? elapsed : 0) + lead
    }

    /// True when a frame stamped `timestamp` may be sent at `now`.
    public func isDue(_ timestamp: Int64, now: UInt64) -> Bool { timestamp <= horizon(now: now) }

    /// Nanoseconds from `now` until a frame stamped `timestamp` is due (0 when due; nil when stopped).
    public func delay(until timestamp: Int64, now: UInt64) -> UInt64? {
        guard isRunning else { return nil }
        let ahead = timestamp - horizon(now: now)
        return ahead <= 0 ? 0 : UInt64(ahead) * 1_000_000
    }

    /// True when the reader should read more: the buffer ends (`bufferedUntil`, the last buffered
    /// timestamp, nil when empty) less than `readAhead` beyond the horizon. Never while stopped
    /// (paused), so a paused player's buffer stays bounded.
    public func needsData(bufferedUntil: Int64?, now: UInt64) -> Bool {
        guard isRunning else { return false }
        guard let last = bufferedUntil else { return true }
        return last < horizon(now: now) + readAhead
    }
}
