import FLV

/// What a player joining a live stream needs first: the metadata and the sequence headers in
/// force, and the frames since the last video keyframe (at most `limit` bytes of them; past it
/// the cache waits for the next keyframe). One cache for the hub's live streams and for the
/// upstream feeds waiting to be spliced in. A pure value.
struct GOPCache {
    private(set) var metadata: MediaFrame?
    private(set) var videoHeader: MediaFrame?
    private(set) var audioHeader: MediaFrame?
    /// Frames since the last video keyframe (empty until the first keyframe).
    private(set) var gop: [MediaFrame] = []
    private var gopBytes = 0
    let limit: Int
    /// True once any video frame (sequence header included) went through.
    private(set) var sawVideo = false

    init(limit: Int) {
        self.limit = limit
    }

    /// Metadata and sequence headers in force, in the order a player needs them.
    var configuration: [MediaFrame] { [metadata, videoHeader, audioHeader].compactMap { $0 } }

    /// The frames a joining player starts with, in order, on the joiners' timeline
    /// (`JoinerStart`); `latestTimestamp` stamps the headers when no media is cached.
    func joinFrames(latestTimestamp: UInt32?) -> [MediaFrame] {
        JoinerStart.frames(configuration: configuration, gop: gop, latestTimestamp: latestTimestamp)
    }

    mutating func remember(_ frame: MediaFrame) {
        switch frame.kind {
        case .scriptData:
            metadata = frame
        case .video where frame.isSequenceHeader:
            videoHeader = frame
            sawVideo = true
        case .audio where frame.isSequenceHeader:
            audioHeader = frame
        case .video where frame.isVideoKeyframe:
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
