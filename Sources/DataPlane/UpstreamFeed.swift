import FLV

/// What one upstream play of one stream has received, and when its frames may reach the local
/// stream. Pure: frames in, frames to relay out.
///
/// A standby feed (the stream comes from another upstream) keeps the latest metadata, sequence
/// headers and GOP. When the feed becomes the stream's source it is spliced in at a keyframe: its
/// GOP from the last keyframe if it has one (so media resumes at once), otherwise from its next
/// keyframe; sequence headers and metadata go first, stamped with the keyframe's timestamp, but
/// only those that differ from what the players already have. The hub then continues the
/// timestamps after the last frame the players got.
struct UpstreamFeed {
    /// Metadata, sequence headers and the GOP received so far.
    private var cache: GOPCache
    var metadata: MediaFrame? { cache.metadata }
    var videoHeader: MediaFrame? { cache.videoHeader }
    var audioHeader: MediaFrame? { cache.audioHeader }
    /// Frames since the last video keyframe (empty until the first keyframe).
    var gop: [MediaFrame] { cache.gop }
    private var sawVideo: Bool { cache.sawVideo }
    /// True while this feed is the stream's source.
    private(set) var isActive = false
    /// True once the splice happened: every frame is relayed as it comes.
    private(set) var isSpliced = false
    /// Configuration the players have, to leave out identical headers at the splice.
    private var playersHave: [MediaFrame] = []

    init(gopLimit: Int = 16 << 20) {
        self.cache = GOPCache(limit: gopLimit)
    }

    /// Makes this feed the source; `current` is the configuration the players have now (metadata
    /// and sequence headers). Returns the frames to relay at once (may be none: the splice then
    /// waits for the next keyframe).
    mutating func activate(playersHave current: [MediaFrame]) -> [MediaFrame] {
        isActive = true
        isSpliced = false
        playersHave = current
        if let keyframe = gop.first {
            return splice(at: keyframe.timestamp, frames: gop)
        }
        if !sawVideo, audioHeader != nil {
            return splice(at: audioHeader?.timestamp ?? 0, frames: [])
        }
        return []
    }

    /// Another feed became the source.
    mutating func deactivate() {
        isActive = false
        isSpliced = false
    }

    /// Takes one received frame; returns what to relay now.
    mutating func receive(_ frame: MediaFrame) -> [MediaFrame] {
        cache.remember(frame)
        guard isActive else { return [] }
        if isSpliced { return [frame] }
        if frame.isVideoKeyframe && !frame.isSequenceHeader {
            return splice(at: frame.timestamp, frames: [frame])
        }
        if !sawVideo, frame.kind == .audio, !frame.isSequenceHeader {
            return splice(at: frame.timestamp, frames: [frame])
        }
        return []
    }

    private mutating func splice(at timestamp: UInt32, frames: [MediaFrame]) -> [MediaFrame] {
        isSpliced = true
        let configuration = cache.configuration.filter { header in
            !playersHave.contains { $0.kind == header.kind && $0.isSequenceHeader == header.isSequenceHeader && $0.payload == header.payload }
        }
        playersHave = []
        // Audio interleaved just before the keyframe could run backwards after the splice. The
        // rest follows the joiners' rule (headers at the keyframe, audio not after it).
        return JoinerStart.frames(configuration: configuration, gop: frames.filter { $0.timestamp >= timestamp },
                                  latestTimestamp: timestamp)
    }
}
