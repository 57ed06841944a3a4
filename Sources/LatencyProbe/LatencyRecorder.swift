/// What one probe player saw: latency samples after a warm-up, sequence gaps and arrival gaps.
/// Fed with clock readings by its caller; no clock of its own.
public struct LatencyRecorder: Sendable {
    /// Samples taken before this much time after the first frame are left out: they include a
    /// server's cached GOP and the start of a pull, not the steady relay path.
    public let warmupNanoseconds: UInt64
    /// Latency of every frame after the warm-up, in nanoseconds. Bounded by `maxSamples`.
    public private(set) var samples: [UInt64] = []
    public let maxSamples: Int
    /// Frames missing between consecutive received sequence numbers, after the warm-up.
    public private(set) var lost = 0
    /// The same during the warm-up (a relay starting a player at a keyframe, a pull starting).
    public private(set) var lostInWarmup = 0
    /// Frames that arrived with a sequence number not above the highest so far.
    public private(set) var outOfOrder = 0
    /// Largest time between two arriving frames, in nanoseconds.
    public private(set) var maxArrivalGapNanoseconds: UInt64 = 0
    public private(set) var received = 0
    /// Frames whose RTMP timestamp was below the previous frame's (a splice that went backwards).
    public private(set) var timestampsBackwards = 0
    private var lastTimestamp: UInt32?
    private var firstArrival: UInt64?
    private var lastArrival: UInt64?
    private var lastSequence: UInt64?

    public init(warmupNanoseconds: UInt64 = 2_000_000_000, maxSamples: Int = 1_000_000) {
        self.warmupNanoseconds = warmupNanoseconds
        self.maxSamples = maxSamples
    }

    /// Records `stamp` arriving at `now` (same monotonic clock as the sender's) in a message with
    /// RTMP timestamp `timestamp`; returns the gap since the previous arrival in nanoseconds (0 for the first).
    @discardableResult
    public mutating func record(_ stamp: LatencyStamp, arrivedAt now: UInt64, timestamp: UInt32? = nil) -> UInt64 {
        received += 1
        if let timestamp {
            if let last = lastTimestamp, timestamp < last { timestampsBackwards += 1 }
            lastTimestamp = timestamp
        }
        let gap = lastArrival.map { now >= $0 ? now - $0 : 0 } ?? 0
        maxArrivalGapNanoseconds = max(maxArrivalGapNanoseconds, gap)
        lastArrival = now
        if firstArrival == nil { firstArrival = now }
        let sinceFirst = firstArrival.map { now >= $0 ? now - $0 : 0 } ?? 0
        let warm = sinceFirst >= warmupNanoseconds
        if let previous = lastSequence, stamp.sequence <= previous {
            outOfOrder += 1
        } else {
            if let previous = lastSequence {
                let missing = Int(min(stamp.sequence - previous - 1, UInt64(Int.max / 2)))
                if warm { lost += missing } else { lostInWarmup += missing }
            }
            lastSequence = stamp.sequence
        }
        if warm, samples.count < maxSamples {
            samples.append(now >= stamp.sentNanoseconds ? now - stamp.sentNanoseconds : 0)
        }
        return gap
    }
}
