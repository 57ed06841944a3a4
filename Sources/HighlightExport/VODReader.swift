import FLV
import ISOBMFF
import NIOCore

/// Reads an export source (MP4/F4V, FLV or DVR) for VOD playback, as FMS played recorded files:
/// from the video keyframe at or before the requested start, a window of media time at a time,
/// as FLV frames in timestamp order, each sequence header sent before the first sample that
/// needs it (again whenever the configuration changes). Timestamps are the source's milliseconds
/// plus `shift`, so a seek to a time shows that time on the player's clock. A recording still
/// being written is read up to what its snapshot holds (`isAtLiveEdge`); `extend(with:)` then
/// continues with a newer snapshot, so playback follows the recording as it grows.
///
/// Pure: it only asks the source for sample metadata and payloads, so the caller decides which
/// thread reads (never an event loop) and how much to read ahead.
public struct VODReader {
    public private(set) var source: any ExportSampleSource
    /// Milliseconds added to source times so that no timestamp is negative (MP4 files whose edit
    /// list hides a B-frame decode delay start decoding before 0).
    public let shift: Int64
    /// Player-clock timestamp of the first frame: the keyframe at or before the requested start.
    public let startTimestamp: Int64
    /// Player-clock end of the source (its duration plus `shift`).
    public var endTimestamp: Int64 { Int64((source.availableDuration * 1000).rounded(.up)) + shift }
    /// True once every window up to the end of the source has been read (never while live).
    public private(set) var isFinished = false
    /// True when the source is still being written and all it holds so far has been read.
    public var isAtLiveEdge: Bool { source.isLive && position >= liveEdge }
    /// Source-clock milliseconds up to which a live source is read: its available duration (the
    /// newest frame's time for a DVR recording; a frame stamped with it is read next time).
    private var liveEdge: Int64 { Int64((source.availableDuration * 1000).rounded(.down)) }

    private struct Track {
        var index: Int
        var kind: TrackKind
        var timescale: Int64
        /// Next decode time (track ticks) to read from.
        var next: Int64
        var description: Int?
    }

    private var tracks: [Track]
    /// Source-clock milliseconds up to which every track has been read.
    private var position: Int64
    private var firstWindow = true

    /// Prepares playback from `start` (player-clock milliseconds; negative means 0). `shift`
    /// defaults to the source's own (`VODReader.shift(of:)`); pass the previous reader's when seeking.
    public init(source: any ExportSampleSource, start: Int64, shift: Int64? = nil) throws {
        self.source = source
        let shift = try shift ?? Self.shift(of: source)
        self.shift = shift
        var tracks: [Track] = []
        for kind in [TrackKind.video, .audio] {
            guard let index = source.firstTrack(kind) else { continue }
            tracks.append(Track(index: index, kind: kind, timescale: Int64(max(1, source.tracks[index].timescale)), next: 0))
        }
        // Never before what is still available (retention may have removed a recording's start).
        let target = max(max(0, start) - shift, Int64((source.startTime * 1000).rounded(.down)))
        var first = target
        if let video = tracks.first(where: { $0.kind == .video }) {
            let ticks = Self.ticks(target, video.timescale)
            let candidates = try source.samples(track: video.index, from: ticks, to: ticks + 10 * video.timescale)
            // The keyframe at or before the target (the source answers from it), else the first one after.
            if let keyframe = candidates.first(where: \.isSync) {
                first = Self.milliseconds(keyframe.decodeTime, video.timescale)
                tracks[0].next = keyframe.decodeTime
            } else {
                tracks[0].next = ticks
            }
        }
        for index in tracks.indices where tracks[index].kind == .audio {
            tracks[index].next = Self.ticks(first, tracks[index].timescale)
        }
        self.tracks = tracks
        position = first
        startTimestamp = first + shift
    }

    /// The milliseconds to add to a source's times so that its earliest sample is at 0 or later.
    public static func shift(of source: any ExportSampleSource) throws -> Int64 {
        var earliest: Int64 = 0
        for kind in [TrackKind.video, .audio] {
            guard let index = source.firstTrack(kind) else { continue }
            let timescale = Int64(max(1, source.tracks[index].timescale))
            if let first = try source.samples(track: index, from: 0, to: 1).first {
                earliest = min(earliest, milliseconds(first.decodeTime, timescale))
            }
        }
        return -earliest
    }

    /// Continues with a newer snapshot of the same recording (more of it written), from where
    /// reading stopped; a snapshot with other tracks ends playback instead.
    public mutating func extend(with newer: any ExportSampleSource) {
        guard newer.tracks.map(\.kind) == source.tracks.map(\.kind) else {
            isFinished = true
            return
        }
        source = newer
    }

    /// The frames of the next `window` milliseconds of media (maybe none, e.g. in a gap, or at
    /// the live edge of a recording).
    public mutating func read(window: Int64) throws -> [MediaFrame] {
        guard !isFinished else { return [] }
        var end = position + max(1, window)
        if source.isLive {
            // Never past what is written: the rest is read from a newer snapshot.
            end = min(end, liveEdge)
            guard end > position else { return [] }
        }
        var frames: [(frame: MediaFrame, order: Int)] = []
        for index in tracks.indices {
            let track = tracks[index]
            let to = Self.ticks(end, track.timescale)
            var samples = try source.samples(track: track.index, from: track.next, to: to)
            // The source answers from the keyframe at or before `from`: after the first window
            // those samples were sent already.
            if !firstWindow || track.kind == .video { samples.removeAll { $0.decodeTime < track.next } }
            for sample in samples {
                let timestamp = Self.milliseconds(sample.decodeTime, track.timescale) + shift
                let stamp = UInt32(clamping: max(0, timestamp))
                if sample.descriptionIndex != tracks[index].description {
                    tracks[index].description = sample.descriptionIndex
                    let descriptions = source.tracks[track.index].sampleDescriptions
                    if descriptions.indices.contains(sample.descriptionIndex),
                       let header = FLVFrameConverter.sequenceHeader(descriptions[sample.descriptionIndex], timestamp: stamp) {
                        frames.append((header, frames.count - Self.headerPriority))
                    }
                }
                let composition = Self.milliseconds(sample.compositionTime, track.timescale) - Self.milliseconds(sample.decodeTime, track.timescale)
                let payload = try source.payload(track: track.index, sample: sample)
                let descriptions = source.tracks[track.index].sampleDescriptions
                let description = descriptions.indices.contains(sample.descriptionIndex) ? descriptions[sample.descriptionIndex] : nil
                frames.append((FLVFrameConverter.frame(kind: track.kind, isSync: sample.isSync, timestamp: stamp,
                                                       compositionTime: Int32(clamping: composition), payload: payload,
                                                       description: description), frames.count))
            }
            tracks[index].next = max(track.next, to)
        }
        firstWindow = false
        position = end
        if !source.isLive, end + shift >= endTimestamp + 1000 { isFinished = true }
        // Timestamp order; at equal times sequence headers first, then video before audio.
        return frames.sorted { ($0.frame.timestamp, $0.order) < ($1.frame.timestamp, $1.order) }.map(\.frame)
    }

    /// Sorts sequence headers before the samples stamped with the same time.
    private static let headerPriority = 1 << 30

    /// Floor of `ticks` in milliseconds.
    static func milliseconds(_ ticks: Int64, _ timescale: Int64) -> Int64 {
        let product = ticks.multipliedReportingOverflow(by: 1000)
        guard !product.overflow else { return ticks / timescale * 1000 }
        return product.partialValue >= 0 ? product.partialValue / timescale : -((-product.partialValue + timescale - 1) / timescale)
    }

    /// Ceiling of `milliseconds` in ticks, so that no sample at or after the time is skipped.
    static func ticks(_ milliseconds: Int64, _ timescale: Int64) -> Int64 {
        let product = milliseconds.multipliedReportingOverflow(by: timescale)
        guard !product.overflow else { return milliseconds / 1000 * timescale }
        return product.partialValue >= 0 ? (product.partialValue + 999) / 1000 : -(-product.partialValue / 1000)
    }
}
