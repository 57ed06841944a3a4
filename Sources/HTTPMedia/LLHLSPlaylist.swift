import Foundation

/// The live LL-HLS media playlist of one stream (RFC 8216bis, 4.4.4.9 `EXT-X-PART`, 4.4.3.7
/// `EXT-X-SERVER-CONTROL`, 4.4.5.3 `EXT-X-PRELOAD-HINT`, 6.2.5.2 blocking reload), as a value the
/// fMP4 muxer feeds and the HTTP shell reads.
///
/// URIs: `init<generation>.mp4`, segments `s<msn>.m4s`, parts `p<part number>.m4s`. Part numbers
/// run across segments, so the preload hint names the next part before anyone knows whether it
/// starts a new segment.
public struct LLHLSPlaylist: Sendable {
    /// One partial segment.
    public struct Part: Sendable, Equatable {
        public var number: Int
        public var duration: Double
        public var isIndependent: Bool
    }

    /// One media segment; the last may be open (still getting parts).
    public struct Segment: Sendable, Equatable {
        public var sequenceNumber: Int
        public var parts: [Part]
        public var isComplete: Bool
        public var generation: Int
        public var duration: Double { parts.reduce(0) { $0 + $1.duration } }
    }

    /// What `append` dropped from the window: the shell frees their bytes.
    public struct Evicted: Sendable, Equatable {
        public var segments: [Int] = []
        public var parts: [Int] = []

        public init() {}
    }

    public let partTarget: Double
    public let segmentTarget: Double
    /// Complete segments kept in the playlist (and in memory).
    public let windowSegments: Int
    public private(set) var segments: [Segment] = []
    public private(set) var nextPartNumber = 0
    private var nextSequenceNumber = 0
    private var discontinuitySequence = 0
    private var longestSegment = 0.0

    public init(partTarget: Double, segmentTarget: Double, windowSegments: Int = 7) {
        self.partTarget = partTarget
        self.segmentTarget = segmentTarget
        self.windowSegments = max(3, windowSegments)
    }

    /// Adds the part the muxer completed; returns its number and what left the window.
    public mutating func append(duration: Double, isIndependent: Bool, endsSegment: Bool, generation: Int) -> (number: Int, evicted: Evicted) {
        if segments.last.map({ $0.isComplete || $0.generation != generation }) ?? true {
            if let last = segments.indices.last, !segments[last].isComplete { close(last) }
            segments.append(Segment(sequenceNumber: nextSequenceNumber, parts: [], isComplete: false, generation: generation))
            nextSequenceNumber += 1
        }
        let number = nextPartNumber
        nextPartNumber += 1
        let last = segments.count - 1
        segments[last].parts.append(Part(number: number, duration: duration, isIndependent: isIndependent))
        if endsSegment { close(last) }
        var evicted = Evicted()
        while segments.filter(\.isComplete).count > windowSegments {
            let gone = segments.removeFirst()
            if let next = segments.first, next.generation != gone.generation { discontinuitySequence += 1 }
            evicted.segments.append(gone.sequenceNumber)
            evicted.parts += gone.parts.map(\.number)
        }
        return (number, evicted)
    }

    private mutating func close(_ index: Int) {
        segments[index].isComplete = true
        longestSegment = max(longestSegment, segments[index].duration)
    }

    /// Media sequence number of the last (possibly open) segment, nil before the first part.
    public var lastSequenceNumber: Int? { segments.last?.sequenceNumber }

    /// The segment `msn`, if still in the window.
    public func segment(_ msn: Int) -> Segment? { segments.first { $0.sequenceNumber == msn } }

    /// Whether a blocking reload for `_HLS_msn=msn` (and `_HLS_part=part`) can be answered: the
    /// playlist holds that part, or that segment complete, or anything later.
    public func satisfies(msn: Int, part: Int?) -> Bool {
        guard let last = segments.last else { return false }
        if last.sequenceNumber > msn { return true }
        guard let segment = segment(msn) else { return false }
        if let part { return segment.parts.count > part }
        return segment.isComplete
    }

    /// True when a request names a segment so far ahead that it cannot come soon (answer 400).
    public func isTooFarAhead(msn: Int) -> Bool { msn > (lastSequenceNumber ?? -1) + 2 }

    /// The target duration: whole seconds, at least every segment's duration rounded.
    public var targetDuration: Int { max(1, Int(max(segmentTarget, longestSegment).rounded(.up))) }

    /// The playlist text. Parts are listed for the segments of the last three target durations.
    public func render() -> String {
        var lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:9",
            "#EXT-X-TARGETDURATION:\(targetDuration)",
            "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=\(Self.format(partTarget * 3))",
            "#EXT-X-PART-INF:PART-TARGET=\(Self.format(partTarget))",
            "#EXT-X-MEDIA-SEQUENCE:\(segments.first?.sequenceNumber ?? 0)",
        ]
        if discontinuitySequence > 0 { lines.append("#EXT-X-DISCONTINUITY-SEQUENCE:\(discontinuitySequence)") }
        var partsFrom = segments.count
        var recent = 0.0
        while partsFrom > 0, recent < Double(targetDuration) * 3 {
            partsFrom -= 1
            recent += segments[partsFrom].duration
        }
        var generation: Int?
        for (index, segment) in segments.enumerated() {
            if segment.generation != generation {
                if generation != nil { lines.append("#EXT-X-DISCONTINUITY") }
                lines.append("#EXT-X-MAP:URI=\"init\(segment.generation).mp4\"")
                generation = segment.generation
            }
            if index >= partsFrom {
                for part in segment.parts {
                    lines.append("#EXT-X-PART:DURATION=\(Self.format(part.duration)),URI=\"p\(part.number).m4s\""
                                 + (part.isIndependent ? ",INDEPENDENT=YES" : ""))
                }
            }
            if segment.isComplete {
                lines.append("#EXTINF:\(Self.format(segment.duration)),")
                lines.append("s\(segment.sequenceNumber).m4s")
            }
        }
        if !segments.isEmpty { lines.append("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p\(nextPartNumber).m4s\"") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func format(_ seconds: Double) -> String { String(format: "%.3f", seconds) }
}
