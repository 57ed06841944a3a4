/// One track of a movie, as read by `MP4Reader`.
public struct MP4Track: Hashable, Sendable {
    public var id: UInt32
    /// nil for tracks that are neither video nor audio (hint, text, metadata).
    public var kind: TrackKind?
    /// Media timescale (ticks per second) of the samples' times.
    public var timescale: UInt32
    /// Media duration in the media timescale (`mdhd`).
    public var mediaDuration: UInt64
    /// Presentation size from `tkhd` (16.16 fixed point truncated to integers).
    public var width: UInt32
    public var height: UInt32
    public var sampleDescriptions: [SampleDescription]
    /// Edit list; empty when the track has none (the media plays from its start).
    public var edits: [EditListEntry]
    public var samples: [MP4Sample]

    public init(id: UInt32, kind: TrackKind?, timescale: UInt32, mediaDuration: UInt64, width: UInt32, height: UInt32,
                sampleDescriptions: [SampleDescription], edits: [EditListEntry], samples: [MP4Sample]) {
        self.id = id
        self.kind = kind
        self.timescale = timescale
        self.mediaDuration = mediaDuration
        self.width = width
        self.height = height
        self.sampleDescriptions = sampleDescriptions
        self.edits = edits
        self.samples = samples
    }
}

/// The `moov` of a file: the movie timescale and duration and its tracks.
public struct MP4Movie: Hashable, Sendable {
    /// The `ftyp` major brand (`isom`, `mp42`, `f4v `...), if the file has one.
    public var majorBrand: FourCC?
    public var compatibleBrands: [FourCC]
    public var timescale: UInt32
    /// Duration in the movie timescale (`mvhd`).
    public var duration: UInt64
    public var tracks: [MP4Track]
    /// Top-level box types in file order (to check, e.g., that `moov` comes before `mdat`).
    public var topLevelBoxes: [FourCC]

    public init(majorBrand: FourCC?, compatibleBrands: [FourCC], timescale: UInt32, duration: UInt64,
                tracks: [MP4Track], topLevelBoxes: [FourCC]) {
        self.majorBrand = majorBrand
        self.compatibleBrands = compatibleBrands
        self.timescale = timescale
        self.duration = duration
        self.tracks = tracks
        self.topLevelBoxes = topLevelBoxes
    }

    /// Duration in seconds.
    public var seconds: Double { timescale == 0 ? 0 : Double(duration) / Double(timescale) }

    /// The first track of `kind`.
    public func firstTrack(_ kind: TrackKind) -> MP4Track? { tracks.first { $0.kind == kind } }
}
