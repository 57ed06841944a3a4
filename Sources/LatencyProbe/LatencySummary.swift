/// Latency percentiles over the samples of all players, in milliseconds.
public struct LatencySummary: Codable, Sendable, Equatable {
    public var count: Int
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var max: Double
    public var lost: Int
    public var lostInWarmup: Int
    public var outOfOrder: Int
    public var timestampsBackwards: Int
    public var maxArrivalGapMs: Double
    public var players: Int
    public var playersWithMedia: Int
    /// Filled by the caller from its connections: players not closed at the end, every status
    /// code they received, errors, and whether its publisher got to send media.
    public var playersStillOpen = 0
    public var statuses: [String] = []
    public var errors: [String] = []
    public var publisherStarted: Bool?

    public init(_ recorders: [LatencyRecorder]) {
        let sorted = recorders.flatMap(\.samples).sorted()
        count = sorted.count
        p50 = Self.milliseconds(Self.percentile(50, of: sorted))
        p90 = Self.milliseconds(Self.percentile(90, of: sorted))
        p99 = Self.milliseconds(Self.percentile(99, of: sorted))
        max = Self.milliseconds(sorted.last ?? 0)
        lost = recorders.reduce(0) { $0 + $1.lost }
        lostInWarmup = recorders.reduce(0) { $0 + $1.lostInWarmup }
        outOfOrder = recorders.reduce(0) { $0 + $1.outOfOrder }
        timestampsBackwards = recorders.reduce(0) { $0 + $1.timestampsBackwards }
        maxArrivalGapMs = Self.milliseconds(recorders.map(\.maxArrivalGapNanoseconds).max() ?? 0)
        players = recorders.count
        playersWithMedia = recorders.filter { $0.received > 0 }.count
    }

    /// Nearest-rank percentile (the smallest sample with at least `percent`% of samples at or
    /// below it) of ascending `sorted`; 0 when empty.
    public static func percentile(_ percent: Double, of sorted: [UInt64]) -> UInt64 {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((percent / 100 * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(Swift.max(rank, 1), sorted.count) - 1]
    }

    /// Nanoseconds as milliseconds rounded to microseconds.
    static func milliseconds(_ nanoseconds: UInt64) -> Double { (Double(nanoseconds) / 1000).rounded() / 1000 }
}
