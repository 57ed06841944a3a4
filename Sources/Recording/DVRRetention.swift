import Foundation

/// Which segments retention removes: those that ended longer than `maxAge` ago, then the oldest
/// until all recordings together fit in `maxBytes`. Segments being written are never removed.
public struct DVRRetention: Sendable, Equatable {
    public var maxAge: TimeInterval?
    public var maxBytes: UInt64?

    public init(maxAge: TimeInterval? = nil, maxBytes: UInt64? = nil) {
        self.maxAge = maxAge
        self.maxBytes = maxBytes
    }

    /// One segment file as retention sees it.
    public struct Segment: Sendable, Equatable {
        public var directory: String
        public var number: UInt32
        /// Wall-clock time of its last frame.
        public var endedAt: Date
        public var bytes: UInt64
        public var isActive: Bool
        public init(directory: String, number: UInt32, endedAt: Date, bytes: UInt64, isActive: Bool) {
            self.directory = directory; self.number = number; self.endedAt = endedAt; self.bytes = bytes; self.isActive = isActive
        }
    }

    /// The segments to remove, oldest first.
    public func select(_ segments: [Segment], now: Date) -> [Segment] {
        let ordered = segments.sorted { ($0.endedAt, $0.directory, $0.number) < ($1.endedAt, $1.directory, $1.number) }
        var total = segments.reduce(0) { $0 + $1.bytes }
        var removed: [Segment] = []
        for segment in ordered where !segment.isActive {
            let tooOld = maxAge.map { now.timeIntervalSince(segment.endedAt) > $0 } ?? false
            let tooBig = maxBytes.map { total > $0 } ?? false
            guard tooOld || tooBig else { continue }
            removed.append(segment)
            total -= segment.bytes
        }
        return removed
    }
}
