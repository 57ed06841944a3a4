/// One sample description (`stsd` entry) of a track: the codec and its configuration.
/// A track may have several; each sample names its own (through `stsc`).
public enum SampleDescription: Hashable, Sendable {
    case avc(AVCSampleEntry)
    case aac(AACSampleEntry)
    /// HEVC, AV1, VP9 or Opus: an entry with one verbatim configuration box.
    case codec(CodecSampleEntry)
    /// A sample entry we do not decode (kept so that indices stay right).
    case unsupported(FourCC)

    /// The kind of track this description belongs in.
    public var kind: TrackKind? {
        switch self {
        case .avc: return .video
        case .aac: return .audio
        case .codec(let entry): return entry.kind
        case .unsupported: return nil
        }
    }
}

/// What a track carries (from its `hdlr` handler type).
public enum TrackKind: String, Hashable, Sendable {
    case video
    case audio
}

/// An `avc1` visual sample entry with its `avcC` box (ISO/IEC 14496-15, 5.4).
public struct AVCSampleEntry: Hashable, Sendable {
    public var width: UInt16
    public var height: UInt16
    /// The body of the `avcC` box: an AVCDecoderConfigurationRecord.
    public var decoderConfiguration: [UInt8]

    public init(width: UInt16, height: UInt16, decoderConfiguration: [UInt8]) {
        self.width = width
        self.height = height
        self.decoderConfiguration = decoderConfiguration
    }
}

/// An `mp4a` audio sample entry with its `esds` box carrying an AudioSpecificConfig (ISO/IEC 14496-3).
public struct AACSampleEntry: Hashable, Sendable {
    public var sampleRate: UInt32
    public var channelCount: UInt16
    /// The DecoderSpecificInfo of the `esds`: the AudioSpecificConfig bytes.
    public var audioSpecificConfig: [UInt8]

    public init(sampleRate: UInt32, channelCount: UInt16, audioSpecificConfig: [UInt8]) {
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.audioSpecificConfig = audioSpecificConfig
    }
}
