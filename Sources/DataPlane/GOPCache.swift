import FLV

/// What a player joining a live stream needs first: the metadata and the sequence headers in
/// force, and the frames since the last video keyframe (at most `limit` bytes of them; past it
/// the cache waits for the next keyframe). One cache for the hub's live streams and for the
/// upstream feeds waiting to be spliced in. A pure value.
struct GOPCache {
    private(set) var metadata: MediaFrame?
    private(set) var videoHeader: MediaFrame?
    private(set) var audioHeader: MediaFrame?
    /// Sequence headers of E-RTMP tracks other than the primary one (track id ≠ 0), one per kind
    /// and track, at most `maxTrackHeaders`.
    private(set) var trackHeaders: [MediaFrame] = []
    /// Frames since the last video keyframe (empty until the first keyframe).
    private(set) var gop: [MediaFrame] = []
    private var gopBytes = 0
    let limit: Int
    /// E-RTMP allows 256 tracks per kind; a publisher announcing more than this many is not
    /// given more memory for them.
    static let maxTrackHeaders = 16
    /// True once any video frame (sequence header included) went through.
    private(set) var sawVideo = false

    init(limit: Int) {
        self.limit = limit
    }

    /// Metadata and sequence headers in force, in the order a player needs them.
    var configuration: [MediaFrame] { [metadata, videoHeader, audioHeader].compactMap { $0 } + trackHeaders }

    /// The frames a joining player starts with, in order, on the joiners' timeline
    /// (`JoinerStart`); `latestTimestamp` stamps the headers when no media is cached.
    func joinFrames(latestTimestamp: UInt32?) -> [MediaFrame] {
        JoinerStart.frames(configuration: configuration, gop: gop, latestTimestamp: latestTimestamp)
    }

    mutating func remember(_ frame: MediaFrame) {
        switch frame.kind {
        case .scriptData:
            metadata = frame
        case .video where frame.isSequenceHeader && frame.trackID != 0, .audio where frame.isSequenceHeader && frame.trackID != 0:
            let track = frame.trackID
            trackHeaders.removeAll { $0.kind == frame.kind && $0.trackID == track }
            if trackHeaders.count < Self.maxTrackHeaders { trackHeaders.append(frame) }
            if frame.kind == .video { sawVideo = true }
        case .video where frame.isSequenceHeader:
            videoHeader = frame
            sawVideo = true
        case .audio where frame.isSequenceHeader:
            audioHeader = frame
        case .video where frame.isVideoKeyframe && frame.trackID == 0:
            // Only the primary track's keyframes start a GOP: another track's would cut it short.
            sawVideo = true
            gop = [frame]
            gopBytes = frame.payload.readableBytes
        default:
            if frame.kind == .video { sawVideo = true }
            // Frames before the first keyframe are useless to a new player; past the limit,
            // the cache waits for the next keyframe.
            guard !gop.isEmpty, gopBytes + frame.payload.readableBytes <= limit else {
                gop = []
                gopBytes = 0
                return
            }
            gop.append(frame)
            gopBytes += frame.payload.readableBytes
        }
    }
}
