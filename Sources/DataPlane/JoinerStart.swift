import FLV

/// The first frames a player gets when it joins a live stream mid-way, and the frames an upstream
/// feed starts with when it is spliced in: one timeline rule for every tier (origin,
/// intermediate, edge), so that demuxers that take the first audio timestamp as the start (VLC,
/// GStreamer) put audio and video on the same clock. Pure.
///
/// The rule:
/// - media starts at the cached GOP's keyframe; when the GOP's first audio frame comes after the
///   keyframe's decode time by at most `maximumAudioShift`, it is stamped with the keyframe's time
///   and sent right after it ("start audio with the keyframe"): the first audio never starts
///   after the first video DTS (a B-frame keyframe has DTS 4000 and PTS 4080; audio cached from
///   4004 made VLC put audio and video an hour apart);
/// - metadata and sequence headers go before the media, stamped with the keyframe's timestamp
///   (never 0 or an older time: a joiner's timeline has no jump and no gap at its start); with no
///   media cached, with the latest timestamp the stream sent, if any;
/// - frames keep their order and their own timestamps otherwise.
enum JoinerStart {
    /// How far (ms) the first audio frame may be moved back to the keyframe: a few AAC frames,
    /// enough for a stream's first GOP, where encoders start audio up to ~60 ms after the first
    /// keyframe; a larger gap is a gap in the audio, left alone.
    static let maximumAudioShift: UInt32 = 100

    /// - Parameters:
    ///   - configuration: metadata and sequence headers in force, in the order to send them.
    ///   - gop: frames from the last video keyframe on (empty when there is none).
    ///   - latestTimestamp: the highest timestamp the stream sent (stamp for headers with no media).
    static func frames(configuration: [MediaFrame], gop: [MediaFrame], latestTimestamp: UInt32?) -> [MediaFrame] {
        var media = gop
        if let keyframe = gop.first, keyframe.kind == .video,
           let firstAudio = gop.firstIndex(where: { $0.kind == .audio && !$0.isSequenceHeader }),
           gop[firstAudio].timestamp > keyframe.timestamp,
           gop[firstAudio].timestamp - keyframe.timestamp <= maximumAudioShift {
            var audio = media.remove(at: firstAudio)
            audio.timestamp = keyframe.timestamp
            media.insert(audio, at: 1)
        }
        guard let stamp = media.first?.timestamp ?? latestTimestamp else { return configuration + media }
        let headers = configuration.map { frame -> MediaFrame in
            var restamped = frame
            restamped.timestamp = stamp
            return restamped
        }
        return headers + media
    }
}
