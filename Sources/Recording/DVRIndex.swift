/// A place in a recording: a byte offset in one segment file. Ordered as the recording is.
public struct DVRPosition: Sendable, Hashable, Comparable {
    public var segment: UInt32
    public var offset: UInt64
    public init(segment: UInt32, offset: UInt64) { self.segment = segment; self.offset = offset }
    public static func < (a: DVRPosition, b: DVRPosition) -> Bool { (a.segment, a.offset) < (b.segment, b.offset) }
}

/// Where reading must start to show recording time `time`: the configuration tags (sequence
/// headers, metadata) in force there, then the keyframe (or audio seek point) at or before it.
public struct DVRSeekPoint: Sendable, Equatable {
    public var configurations: [DVRPosition]
    public var start: DVRPosition
    /// Recording time of the tag at `start` (≤ the requested time unless the request lies before
    /// the first seek point).
    public var time: UInt64
}

/// The decoded index of one recording: lookups by time without reading the media.
public struct DVRIndex: Sendable {
    public private(set) var records: [DVRIndexRecord]
    /// Seek points (keyframes, audio sync points) in recording order.
    private var seekPoints: [DVRIndexRecord]

    public init(records: [DVRIndexRecord]) {
        self.records = records
        seekPoints = records.filter { $0.kind == .keyframe || $0.kind == .audioSync }
    }

    /// True when the last record is `closed` (the recording was stopped cleanly and not resumed).
    public var isClosed: Bool { records.last?.kind == .closed }

    /// Largest recording time any record names.
    public var lastTime: UInt64? { records.map(\.time).max() }

    /// Segment numbers named by the index, ascending.
    public var segments: [UInt32] { Array(Set(records.map(\.segment))).sorted() }

    /// Largest recording time recorded for `segment`.
    public func lastTime(inSegment segment: UInt32) -> UInt64? {
        records.lazy.filter { $0.segment == segment }.map(\.time).max()
    }

    /// First recording time of `segment`.
    public func firstTime(inSegment segment: UInt32) -> UInt64? {
        records.first { $0.segment == segment }?.time
    }

    /// The seek point for `time`, ignoring segments before `firstSegment` (removed by retention).
    /// Nil when there is no seek point at all.
    public func seekPoint(at time: UInt64, firstSegment: UInt32 = 0) -> DVRSeekPoint? {
        // Seek points are appended in time order within a recording; binary search the last ≤ time.
        var low = seekPoints.partitionIndex { $0.segment >= firstSegment }
        guard low < seekPoints.count else { return nil }
        let firstUsable = low
        var high = seekPoints.count
        while low < high {
            let mid = (low + high) / 2
            if seekPoints[mid].time <= time { low = mid + 1 } else { high = mid }
        }
        let chosen = seekPoints[max(firstUsable, low - 1)]
        let start = DVRPosition(segment: chosen.segment, offset: chosen.offset)
        var latest: [DVRIndexRecord.Kind: DVRPosition] = [:]
        var sessionStart = DVRPosition(segment: firstSegment, offset: 0)
        for record in records {
            let position = DVRPosition(segment: record.segment, offset: record.offset)
            guard record.segment >= firstSegment, position <= start else { continue }
            switch record.kind {
            case .videoConfig, .audioConfig, .metadata: latest[record.kind] = position
            case .sessionStart:
                // Configurations of an earlier publisher session do not apply to a later one.
                sessionStart = position
                latest = [:]
            default: break
            }
        }
        let configurations = latest.values.filter { sessionStart <= $0 }.sorted()
        return DVRSeekPoint(configurations: configurations, start: start, time: chosen.time)
    }
}

extension Array {
    /// Index of the first element for which `belongs` is true, given that it is false for a prefix.
    func partitionIndex(where belongs: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if belongs(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
