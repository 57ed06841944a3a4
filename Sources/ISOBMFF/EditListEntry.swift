/// One entry of an edit list (`elst`, ISO/IEC 14496-12, 8.6.6): present `segmentDuration`
/// (in the movie timescale) of the track's media starting at composition time `mediaTime`
/// (in the media timescale), or nothing (an empty edit) when `mediaTime` is -1.
public struct EditListEntry: Hashable, Sendable {
    public var segmentDuration: UInt64
    public var mediaTime: Int64
    /// Playback rate; 1 for normal play, 0 for a dwell.
    public var mediaRate: Int16

    public init(segmentDuration: UInt64, mediaTime: Int64, mediaRate: Int16 = 1) {
        self.segmentDuration = segmentDuration
        self.mediaTime = mediaTime
        self.mediaRate = mediaRate
    }

    /// An empty edit: `segmentDuration` of nothing.
    public static func empty(_ segmentDuration: UInt64) -> EditListEntry {
        EditListEntry(segmentDuration: segmentDuration, mediaTime: -1)
    }

    public var isEmpty: Bool { mediaTime == -1 }
}
