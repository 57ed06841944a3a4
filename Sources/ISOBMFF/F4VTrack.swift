/// One sample to be written by `F4VWriter`: its table entries (the payload is streamed later).
public struct F4VSample: Hashable, Sendable {
    public var duration: UInt32
    public var compositionOffset: Int32
    public var size: UInt32
    public var isSync: Bool
    /// Zero-based index into the track's `sampleDescriptions`.
    public var descriptionIndex: Int

    public init(duration: UInt32, compositionOffset: Int32 = 0, size: UInt32, isSync: Bool, descriptionIndex: Int = 0) {
        self.duration = duration
        self.compositionOffset = compositionOffset
        self.size = size
        self.isSync = isSync
        self.descriptionIndex = descriptionIndex
    }
}

/// One track to be written by `F4VWriter`.
public struct F4VTrack: Hashable, Sendable {
    public var kind: TrackKind
    public var timescale: UInt32
    public var sampleDescriptions: [SampleDescription]
    /// Samples in decode order.
    public var samples: [F4VSample]
    /// The edit list; empty to present the media from its start without trimming.
    public var edits: [EditListEntry]

    public init(kind: TrackKind, timescale: UInt32, sampleDescriptions: [SampleDescription], samples: [F4VSample],
                edits: [EditListEntry] = []) {
        self.kind = kind
        self.timescale = timescale
        self.sampleDescriptions = sampleDescriptions
        self.samples = samples
        self.edits = edits
    }

    /// Sum of the sample durations, in the media timescale.
    public var mediaDuration: UInt64 { samples.reduce(0) { $0 + UInt64($1.duration) } }
}

/// A run of consecutive samples of one track stored together in `mdat` (a chunk).
public struct F4VChunk: Hashable, Sendable {
    public var track: Int
    public var firstSample: Int
    public var sampleCount: Int

    public init(track: Int, firstSample: Int, sampleCount: Int) {
        self.track = track
        self.firstSample = firstSample
        self.sampleCount = sampleCount
    }
}

/// What `F4VWriter` produces before the media: `ftyp`, `moov` and the `mdat` header. The caller
/// writes these bytes, then the sample payloads chunk by chunk, in the order of the chunks given.
public struct F4VHeader: Sendable {
    public var bytes: [UInt8]
    /// Number of payload bytes that must follow `bytes` (the `mdat` payload).
    public var mediaDataSize: UInt64
    /// Whether chunk offsets needed 64 bits (`co64`).
    public var usesLargeOffsets: Bool

    public var fileSize: UInt64 { UInt64(bytes.count) + mediaDataSize }
}
