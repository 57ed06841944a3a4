import Foundation
import Recording

/// The `EVENT` playlist of a DVR recording (RFC 8216bis 4.4.3.5 `EXT-X-PLAYLIST-TYPE`, 4.4.4.6
/// `EXT-X-PROGRAM-DATE-TIME`, 4.4.2.2 `EXT-X-START`), built from the recording's index alone:
/// segments run from keyframe to keyframe, at least `segmentTarget` long, and are cut from the
/// recording on demand (`dvr/<start ms>-<end ms>.m4s`, recording time).
public struct DVRPlaylist: Sendable, Equatable {
    /// One segment: recording time in milliseconds, end exclusive.
    public struct Segment: Sendable, Equatable {
        public var start: UInt64
        public var end: UInt64

        public init(start: UInt64, end: UInt64) {
            self.start = start
            self.end = end
        }
    }

    public var segments: [Segment]
    /// True when the recording is closed: the playlist ends (`EXT-X-ENDLIST`).
    public var isFinished: Bool
    public var startedAt: Date
    /// `EVENT` for a recording; `VOD` for a clip (`init(keyframes:end:)`).
    public var playlistType = "EVENT"
    /// Where segment and init URIs live, relative to the playlist.
    public var directory = "dvr/"
    /// Whether segments carry `EXT-X-PROGRAM-DATE-TIME` (a clip has no wall clock).
    public var hasWallClock = true

    /// The `VOD` playlist of a clip: segments from keyframe to keyframe (milliseconds), at least
    /// `segmentTarget` long, the last one ending at `end`.
    public init(keyframes: [UInt64], end: UInt64, segmentTarget: UInt64 = 2000) {
        var segments: [Segment] = []
        var start = keyframes.first ?? 0
        for time in keyframes.dropFirst() where time >= start + segmentTarget && time < end {
            segments.append(Segment(start: start, end: time))
            start = time
        }
        if end > start { segments.append(Segment(start: start, end: end)) }
        self.segments = segments
        isFinished = true
        startedAt = Date(timeIntervalSince1970: 0)
        playlistType = "VOD"
        directory = ""
        hasWallClock = false
    }

    /// Builds segments from `index`: seek points from `firstSegment` on, cut at the first
    /// keyframe at least `segmentTarget` milliseconds after the segment start. While the recording
    /// grows the last, unfinished segment is left out; once closed it ends at the last frame.
    public init(index: DVRIndex, firstSegment: UInt32 = 0, startedAt: Date, endTime: UInt64, isLive: Bool,
                segmentTarget: UInt64 = 2000) {
        let records = index.records.filter { $0.segment >= firstSegment }
        let hasVideo = records.contains { $0.kind == .keyframe }
        let points = records.filter { $0.kind == (hasVideo ? .keyframe : .audioSync) }.map(\.time)
        var segments: [Segment] = []
        var start: UInt64?
        for time in points {
            guard let begun = start else { start = time; continue }
            if time >= begun + segmentTarget {
                segments.append(Segment(start: begun, end: time))
                start = time
            }
        }
        let finished = !isLive
        if finished, let begun = start, endTime > begun { segments.append(Segment(start: begun, end: endTime + 1)) }
        self.segments = segments
        self.isFinished = finished
        self.startedAt = startedAt
    }

    /// Where a `?start=` value (seconds of recording time, or an RFC 3339 date) points, in seconds
    /// from the first segment; nil when it is neither.
    public func startOffset(_ value: String) -> Double? {
        let first = Double(segments.first?.start ?? 0) / 1000
        if let seconds = Double(value), seconds.isFinite, seconds >= 0 { return max(0, seconds - first) }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = formatter.date(from: value) ?? ISO8601DateFormatter().date(from: value)
        guard let date else { return nil }
        return max(0, date.timeIntervalSince(startedAt) - first)
    }

    /// Longest segment, rounded up to whole seconds.
    public var targetDuration: Int {
        max(1, Int((Double(segments.map { $0.end - $0.start }.max() ?? 1000) / 1000).rounded(.up)))
    }

    /// The playlist text; `startOffset` seconds become `EXT-X-START`.
    public func render(startOffset: Double? = nil) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:7",
            "#EXT-X-PLAYLIST-TYPE:\(playlistType)",
            "#EXT-X-TARGETDURATION:\(targetDuration)",
            "#EXT-X-MEDIA-SEQUENCE:0",
            "#EXT-X-INDEPENDENT-SEGMENTS",
        ]
        if let startOffset { lines.append("#EXT-X-START:TIME-OFFSET=\(LLHLSPlaylist.format(startOffset)),PRECISE=YES") }
        lines.append("#EXT-X-MAP:URI=\"\(directory)init.mp4\"")
        for segment in segments {
            if hasWallClock {
                let date = startedAt.addingTimeInterval(Double(segment.start) / 1000)
                lines.append("#EXT-X-PROGRAM-DATE-TIME:\(formatter.string(from: date))")
            }
            lines.append("#EXTINF:\(LLHLSPlaylist.format(Double(segment.end - segment.start) / 1000)),")
            lines.append("\(directory)\(segment.start)-\(segment.end).m4s")
        }
        if isFinished { lines.append("#EXT-X-ENDLIST") }
        return lines.joined(separator: "\n") + "\n"
    }
}
