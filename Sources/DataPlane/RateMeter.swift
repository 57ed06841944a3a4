import NIOConcurrencyHelpers
import NIOCore

/// Bytes per second over a sliding window of whole seconds (default 10 s), for bitrate figures.
struct RateMeter: Sendable {
    private var buckets: [UInt64]
    private var currentSecond: Int64 = 0

    init(windowSeconds: Int = 10) { buckets = Array(repeating: 0, count: windowSeconds) }

    mutating func add(_ bytes: Int, atSecond second: Int64) {
        advance(to: second)
        buckets[Int(second % Int64(buckets.count))] += UInt64(bytes)
    }

    /// Bits per second averaged over the window.
    mutating func bitsPerSecond(atSecond second: Int64) -> Int {
        advance(to: second)
        return Int(buckets.reduce(0, +) * 8 / UInt64(buckets.count))
    }

    private mutating func advance(to second: Int64) {
        guard second > currentSecond else { return }
        let steps = min(Int(second - currentSecond), buckets.count)
        for offset in 1...steps { buckets[Int((currentSecond + Int64(offset)) % Int64(buckets.count))] = 0 }
        currentSecond = second
    }
}

extension NIODeadline {
    /// Whole seconds on the monotonic clock, the time base of rate meters.
    static var currentSecond: Int64 { Int64(NIODeadline.now().uptimeNanoseconds / 1_000_000_000) }
}
