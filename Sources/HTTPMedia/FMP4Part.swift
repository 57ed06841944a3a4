import NIOCore

/// A CMAF chunk the fMP4 muxer completed: one `moof`+`mdat` pair, an LL-HLS partial segment.
public struct FMP4Part: Sendable {
    /// `moof` + `mdat`.
    public var bytes: ByteBuffer
    /// Seconds of media (on the driving track: video, or audio for audio-only streams).
    public var duration: Double
    /// Start on the driving track's clock, in seconds.
    public var startTime: Double
    /// Starts with a video keyframe (or is audio-only): a player can start here.
    public var isIndependent: Bool
    /// The last part of its segment: the next part starts a new segment at a keyframe.
    public var endsSegment: Bool
    /// The initialization segment this part needs (`FMP4Muxer.Output.initialization`).
    public var generation: Int
}
