import ISOBMFF

/// What a VOD player is told in `onMetaData` about the file it plays.
public struct VODMetadata: Equatable, Sendable {
    /// Seconds.
    public var duration: Double
    public var width: Int?
    public var height: Int?
    /// FLV codec ids: 7 for AVC, 10 for AAC; nil when the file has no such track.
    public var videoCodecID: Int?
    public var audioCodecID: Int?
    public var audioSampleRate: Int?
    public var audioChannels: Int?

    public init(duration: Double, width: Int? = nil, height: Int? = nil, videoCodecID: Int? = nil, audioCodecID: Int? = nil,
                audioSampleRate: Int? = nil, audioChannels: Int? = nil) {
        self.duration = duration
        self.width = width
        self.height = height
        self.videoCodecID = videoCodecID
        self.audioCodecID = audioCodecID
        self.audioSampleRate = audioSampleRate
        self.audioChannels = audioChannels
    }

    /// From a source's tracks (the first description of the first video and audio track).
    public init(source: any ExportSampleSource) {
        self.init(duration: source.availableDuration)
        for track in source.tracks {
            switch track.sampleDescriptions.first {
            case .avc(let entry) where videoCodecID == nil:
                videoCodecID = 7
                width = Int(entry.width)
                height = Int(entry.height)
            case .aac(let entry) where audioCodecID == nil:
                audioCodecID = 10
                audioSampleRate = Int(entry.sampleRate)
                audioChannels = Int(entry.channelCount)
            default:
                break
            }
        }
    }
}
