import FLV
import ISOBMFF

extension SampleDescription {
    /// The description an FLV AVC sequence header carries: its AVCDecoderConfigurationRecord
    /// (ISO/IEC 14496-15 5.2.4.1), with the picture size of its first SPS (0x0 when the SPS
    /// cannot be read: the record alone is what decoders need).
    public static func avc(sequenceHeader record: [UInt8]) throws -> SampleDescription {
        let avc = try AVCDecoderConfigurationRecord(bytes: record)
        let sps = avc.sequenceParameterSets.first.flatMap { try? H264SequenceParameterSet(nalUnit: $0) }
        return .avc(AVCSampleEntry(width: UInt16(clamping: sps?.width ?? 0), height: UInt16(clamping: sps?.height ?? 0),
                                   decoderConfiguration: record))
    }

    /// The description an FLV AAC sequence header carries: its AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1).
    public static func aac(sequenceHeader config: [UInt8]) throws -> SampleDescription {
        let asc = try AudioSpecificConfig(bytes: config)
        return .aac(AACSampleEntry(sampleRate: UInt32(asc.sampleRate), channelCount: UInt16(asc.channelCount ?? 2),
                                   audioSpecificConfig: config))
    }

    /// The description an E-RTMP `hvc1` SequenceStart carries: its HEVCDecoderConfigurationRecord
    /// as `hvcC`, with the picture size of its first SPS (0x0 when unreadable).
    public static func hevc(sequenceHeader record: [UInt8]) throws -> SampleDescription {
        let sps = try HEVCDecoderConfigurationRecord(bytes: record).sequenceParameterSet
        return .codec(CodecSampleEntry(format: "hvc1", configurationType: "hvcC", configuration: record,
                                       width: UInt16(clamping: sps?.width ?? 0), height: UInt16(clamping: sps?.height ?? 0)))
    }

    /// The description an E-RTMP `Opus` SequenceStart (an RFC 7845 OpusHead) carries, as `Opus`+`dOps`.
    public static func opus(sequenceHeader head: [UInt8]) throws -> SampleDescription {
        let opus = try OpusHead(bytes: head)
        return .codec(CodecSampleEntry(format: "Opus", configurationType: "dOps", configuration: opus.opusSpecificBox,
                                       channelCount: UInt16(opus.channelCount), sampleRate: 48000))
    }

    /// The description carried by `frame` when it is a sequence header of the primary track
    /// (AVC, HEVC, AV1, VP9; AAC, Opus); nil otherwise.
    public init?(sequenceHeader frame: MediaFrame) {
        let body = Array(frame.payload.readableBytesView)
        switch frame.kind {
        case .video:
            guard let header = FLVVideoTagHeader(payload: frame.payload), header.isSequenceHeader, header.trackID == 0 else { return nil }
            let record = Array(body.dropFirst(header.headerLength))
            let description: SampleDescription?
            switch header.codec {
            case .avc: description = try? Self.avc(sequenceHeader: record)
            case .hevc where header.extended != nil: description = try? Self.hevc(sequenceHeader: record)
            // av1C and vpcC are the AV1/VP codec configuration records E-RTMP carries verbatim.
            case .av1 where record.count >= 4:
                let size = try? AV1SequenceHeader(configurationRecord: record)
                description = .codec(CodecSampleEntry(format: "av01", configurationType: "av1C", configuration: record,
                                                      width: UInt16(clamping: size?.width ?? 0), height: UInt16(clamping: size?.height ?? 0)))
            case .vp9 where record.count >= 8: description = .codec(CodecSampleEntry(format: "vp09", configurationType: "vpcC", configuration: record))
            default: description = nil
            }
            guard let description else { return nil }
            self = description
        case .audio:
            guard let header = FLVAudioTagHeader(payload: frame.payload), header.isSequenceHeader, header.trackID == 0 else { return nil }
            let config = Array(body.dropFirst(header.headerLength))
            guard let description = header.isOpus ? try? Self.opus(sequenceHeader: config)
                    : header.isAAC ? try? Self.aac(sequenceHeader: config) : nil else { return nil }
            self = description
        case .scriptData:
            return nil
        }
    }
}
