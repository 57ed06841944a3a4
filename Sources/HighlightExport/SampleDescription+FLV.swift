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

    /// The description carried by `frame` when it is an AVC or AAC sequence header; nil otherwise.
    public init?(sequenceHeader frame: MediaFrame) {
        let body = Array(frame.payload.readableBytesView)
        switch frame.kind {
        case .video:
            guard let header = FLVVideoTagHeader(payload: frame.payload), header.codec == .avc, header.isSequenceHeader,
                  let description = try? Self.avc(sequenceHeader: Array(body.dropFirst(header.headerLength))) else { return nil }
            self = description
        case .audio:
            guard let header = FLVAudioTagHeader(payload: frame.payload), header.isSequenceHeader,
                  let description = try? Self.aac(sequenceHeader: Array(body.dropFirst(header.headerLength))) else { return nil }
            self = description
        case .scriptData:
            return nil
        }
    }
}
