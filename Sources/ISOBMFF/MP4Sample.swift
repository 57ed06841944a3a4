/// One sample of a track as the sample tables describe it; times are in the media timescale.
public struct MP4Sample: Hashable, Sendable {
    /// Decode time (sum of the `stts` durations before it).
    public var decodeTime: Int64
    /// Composition (presentation) time minus decode time (`ctts`).
    public var compositionOffset: Int32
    public var duration: UInt32
    public var size: UInt32
    /// Absolute file offset of the sample's bytes.
    public var offset: UInt64
    /// A sync sample (keyframe) a decoder can start at (`stss`, or every sample without one).
    public var isSync: Bool
    /// Zero-based index into the track's sample descriptions.
    public var descriptionIndex: Int

    public var compositionTime: Int64 { decodeTime + Int64(compositionOffset) }

    public init(decodeTime: Int64, compositionOffset: Int32, duration: UInt32, size: UInt32,
                offset: UInt64, isSync: Bool, descriptionIndex: Int) {
        self.decodeTime = decodeTime
        self.compositionOffset = compositionOffset
        self.duration = duration
        self.size = size
        self.offset = offset
        self.isSync = isSync
        self.descriptionIndex = descriptionIndex
    }
}
