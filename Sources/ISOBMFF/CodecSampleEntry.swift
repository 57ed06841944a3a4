/// A sample entry whose codec is described by one configuration box copied verbatim
/// (ISO/IEC 14496-15 for `hvc1`/`hev1`+`hvcC`; AV1-ISOBMFF for `av01`+`av1C`; VP-ISOBMFF for
/// `vp09`+`vpcC`, a FullBox; Opus-ISOBMFF for `Opus`+`dOps`).
public struct CodecSampleEntry: Hashable, Sendable {
    /// The sample entry type (`hvc1`, `av01`, `vp09`, `Opus`).
    public var format: FourCC
    /// The configuration box type (`hvcC`, `av1C`, `vpcC`, `dOps`).
    public var configurationType: FourCC
    /// The configuration box body (for `vpcC`, after its version and flags).
    public var configuration: [UInt8]
    /// Picture size (video) or channel count and sample rate (audio); the others are 0.
    public var width: UInt16
    public var height: UInt16
    public var channelCount: UInt16
    public var sampleRate: UInt32

    public init(format: FourCC, configurationType: FourCC, configuration: [UInt8], width: UInt16 = 0, height: UInt16 = 0,
                channelCount: UInt16 = 0, sampleRate: UInt32 = 0) {
        self.format = format
        self.configurationType = configurationType
        self.configuration = configuration
        self.width = width
        self.height = height
        self.channelCount = channelCount
        self.sampleRate = sampleRate
    }

    /// The formats this entry covers, with their configuration box.
    public static let configurationTypes: [FourCC: FourCC] = ["hvc1": "hvcC", "hev1": "hvcC", "av01": "av1C", "vp09": "vpcC", "Opus": "dOps"]

    public var kind: TrackKind { format == "Opus" ? .audio : .video }
    /// `vpcC` is a FullBox (version 1); the others are plain boxes.
    public var configurationIsFullBox: Bool { configurationType == "vpcC" }

    /// The codec name the API uses (`hevc`, `av1`, `vp9`, `opus`).
    public var codecName: String {
        switch format {
        case "hvc1", "hev1": return "hevc"
        case "av01": return "av1"
        case "vp09": return "vp9"
        case "Opus": return "opus"
        default: return "\(format)"
        }
    }
}
