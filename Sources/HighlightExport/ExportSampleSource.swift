import Foundation
import ISOBMFF
import NIOCore

/// One track of an export source: what it carries and how its samples are described.
public struct ExportTrack: Hashable, Sendable {
    public var kind: TrackKind
    /// Ticks per second of the samples' times (1000 for FLV/RTMP millisecond timestamps).
    public var timescale: UInt32
    /// Every configuration the track's samples refer to by `ExportSample.descriptionIndex`
    /// (e.g. one per AVC/AAC sequence header seen in a recording).
    public var sampleDescriptions: [SampleDescription]

    public init(kind: TrackKind, timescale: UInt32, sampleDescriptions: [SampleDescription]) {
        self.kind = kind
        self.timescale = timescale
        self.sampleDescriptions = sampleDescriptions
    }
}

/// One sample (an access unit: an H.264 frame as length-prefixed NAL units, or a raw AAC frame)
/// of an export source. Only metadata: the payload is read later through `payload(track:sample:)`.
public struct ExportSample: Hashable, Sendable {
    /// Decode time in the track's timescale, on the source's presentation clock: 0 is the start
    /// of the recording or clip (a clip's own edit list already applied).
    public var decodeTime: Int64
    /// Presentation time minus decode time, in the track's timescale.
    public var compositionOffset: Int32
    /// Duration in the track's timescale (for the newest frame of a live recording: an estimate).
    public var duration: UInt32
    /// Payload size in bytes, exactly what `payload(track:sample:)` returns.
    public var size: UInt32
    /// A keyframe (always true for audio).
    public var isSync: Bool
    /// Index into the track's `sampleDescriptions`.
    public var descriptionIndex: Int
    /// Where the source finds the payload (a file offset, a record number): opaque to the exporter.
    public var location: UInt64

    public var compositionTime: Int64 { decodeTime + Int64(compositionOffset) }

    public init(decodeTime: Int64, compositionOffset: Int32 = 0, duration: UInt32, size: UInt32, isSync: Bool,
                descriptionIndex: Int = 0, location: UInt64) {
        self.decodeTime = decodeTime
        self.compositionOffset = compositionOffset
        self.duration = duration
        self.size = size
        self.isSync = isSync
        self.descriptionIndex = descriptionIndex
        self.location = location
    }
}

/// A recording or clip that the exporter cuts from: a DVR recording (possibly still growing) or
/// an on-demand clip. Implementations own their files; the exporter only asks for sample metadata
/// in a time range and then for each payload, so memory stays bounded by the range's sample count.
public protocol ExportSampleSource {
    /// The source's tracks; the exporter uses the first video and the first audio track.
    var tracks: [ExportTrack] { get }
    /// Seconds of media available now from the start of the source (grows while live).
    var availableDuration: Double { get }
    /// Seconds from the start of the source to its earliest sample still available (0 unless
    /// DVR retention has removed the oldest segments).
    var startTime: Double { get }
    /// True while the recording is still being written.
    var isLive: Bool { get }
    /// Samples of `track` in decode order: from the last sync sample whose decode time is at or
    /// before `start` (the first sample if there is none) through the last sample whose decode
    /// time is before `end`. Times are in the track's timescale.
    func samples(track: Int, from start: Int64, to end: Int64) throws -> [ExportSample]
    /// The payload of `sample` (exactly `sample.size` bytes).
    func payload(track: Int, sample: ExportSample) throws -> ByteBuffer
    /// Seconds from the start of the source for a wall-clock time, for DVR items given in
    /// RFC 3339; nil when the source has no wall clock (clips) or the time is outside it.
    func streamTime(atWallClock date: Date) -> Double?
}

extension ExportSampleSource {
    public func streamTime(atWallClock date: Date) -> Double? { nil }
    public var startTime: Double { 0 }

    /// Index of the first track of `kind`.
    public func firstTrack(_ kind: TrackKind) -> Int? { tracks.firstIndex { $0.kind == kind } }
}

/// Where the exported bytes go (a temporary file that the caller renames when complete).
public protocol ExportByteSink {
    mutating func write(_ bytes: ByteBuffer) throws
}
