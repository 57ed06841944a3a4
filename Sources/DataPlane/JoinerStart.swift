import FLV

/// The first frames a player gets when it joins a live stream mid-way: one timeline rule for
/// every tier (origin, intermediate, edge), so that demuxers that take the first audio timestamp
/// as the start (VLC, GStreamer) put audio and video on the same clock. Pure.
///
/// The rule:
/// - media starts at the cached GOP's keyframe; when the GOP's first audio comes after the
///   keyframe's decode time, the last audio frame received at or before it (`audioLeadIn`) goes
///   first, so the first audio never starts after the first video DTS;
/// - metadata and sequence headers go before the media, stamped with the first media frame's
///   timestamp (never 0 or an older time: a joiner's timeline has no jump and no gap at its
///   start); with no media cached, with the latest timestamp the stream sent, if any;
/// - frames keep their order and their own timestamps otherwise.
enum JoinerStart {
    /// - Parameters:
    ///   - configuration: metadata and sequence headers in force, in the order to send them.
    ///   - gop: frames from the last video keyframe on (empty when there is none).
    ///   - audioLeadIn: the last audio frame received before the GOP's keyframe, if any.
    ///   - latestTimestamp: the highest timestamp the stream sent (stamp for headers with no media).
    static func frames(configuration: [MediaFrame], gop: [MediaFrame], audioLeadIn: MediaFrame?,
                       latestTimestamp: UInt32?) -> [MediaFrame] {
        var media = gop
        if let keyframe = gop.first, let leadIn = audioLeadIn, leadIn.timestamp <= keyframe.timestamp,
           !gop.contains(where: { $0.kind == .audio && !$0.isSequenceHeader && $0.timestamp <= keyframe.timestamp }) {
            media.insert(leadIn, at: 0)
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
