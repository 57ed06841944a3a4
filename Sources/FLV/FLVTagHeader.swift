import NIOCore

/// The first byte(s) of an FLV video tag body (FLV spec v10.1, E.4.3.1 VIDEODATA, AVCVIDEOPACKET).
public struct FLVVideoTagHeader: Sendable, Equatable {
    /// FrameType: 1 keyframe, 2 inter frame, 3 disposable inter, 4 generated keyframe, 5 info/command.
    public enum FrameType: UInt8, Sendable { case key = 1, inter = 2, disposableInter = 3, generatedKey = 4, command = 5 }
    /// CodecID: 7 is AVC (H.264); 12 is HEVC in the enhanced-RTMP legacy mapping.
    public enum Codec: Equatable, Sendable { case avc, hevc, other(UInt8) }
    /// AVCPacketType: 0 sequence header (AVCDecoderConfigurationRecord), 1 NALUs, 2 end of sequence.
    public enum PacketType: UInt8, Sendable { case sequenceHeader = 0, nalu = 1, endOfSequence = 2 }

    public var frameType: FrameType?
    public var codec: Codec
    /// Only for AVC/HEVC.
    public var packetType: PacketType?
    /// Composition time offset in milliseconds (pts − dts), only for AVC/HEVC NALU packets.
    public var compositionTime: Int32
    /// Bytes of header before the codec payload (1 for non-AVC, 5 for AVC).
    public var headerLength: Int

    public var isKeyframe: Bool { frameType == .key || frameType == .generatedKey }
    public var isSequenceHeader: Bool { packetType == .sequenceHeader }

    /// Parses the header at the reader index of `payload` without moving it; nil when too short.
    public init?(payload: ByteBuffer) {
        guard let first = payload.getInteger(at: payload.readerIndex, as: UInt8.self) else { return nil }
        frameType = FrameType(rawValue: first >> 4)
        let codecID = first & 0x0F
        switch codecID {
        case 7: codec = .avc
        case 12: codec = .hevc
        default: codec = .other(codecID)
        }
        guard codec == .avc || codec == .hevc else {
            packetType = nil
            compositionTime = 0
            headerLength = 1
            return
        }
        guard let type = payload.getInteger(at: payload.readerIndex + 1, as: UInt8.self),
              let ctsBytes = payload.getBytes(at: payload.readerIndex + 2, length: 3) else { return nil }
        packetType = PacketType(rawValue: type)
        // SI24, big-endian, sign-extended.
        var cts = Int32(ctsBytes[0]) << 16 | Int32(ctsBytes[1]) << 8 | Int32(ctsBytes[2])
        if cts & 0x80_0000 != 0 { cts -= 0x100_0000 }
        compositionTime = cts
        headerLength = 5
    }
}

/// The first byte(s) of an FLV audio tag body (FLV spec v10.1, E.4.2.1 AUDIODATA, AACAUDIODATA).
public struct FLVAudioTagHeader: Sendable, Equatable {
    /// SoundFormat: 10 is AAC, 2 MP3, 11 Speex, 0/3 linear PCM.
    public var soundFormat: UInt8
    /// For AAC: 0 sequence header (AudioSpecificConfig), 1 raw frame.
    public var aacPacketType: UInt8?
    public var headerLength: Int

    public var isAAC: Bool { soundFormat == 10 }
    public var isSequenceHeader: Bool { isAAC && aacPacketType == 0 }

    public init?(payload: ByteBuffer) {
        guard let first = payload.getInteger(at: payload.readerIndex, as: UInt8.self) else { return nil }
        soundFormat = first >> 4
        if soundFormat == 10 {
            guard let type = payload.getInteger(at: payload.readerIndex + 1, as: UInt8.self) else { return nil }
            aacPacketType = type
            headerLength = 2
        } else {
            aacPacketType = nil
            headerLength = 1
        }
    }
}

extension MediaFrame {
    /// True for a video frame that a decoder can start from.
    public var isVideoKeyframe: Bool {
        kind == .video && (FLVVideoTagHeader(payload: payload).map { $0.isKeyframe && !$0.isSequenceHeader } ?? false)
    }

    /// True for AVC/HEVC or AAC sequence headers, which a new player needs before any frame.
    public var isSequenceHeader: Bool {
        switch kind {
        case .video: return FLVVideoTagHeader(payload: payload)?.isSequenceHeader ?? false
        case .audio: return FLVAudioTagHeader(payload: payload)?.isSequenceHeader ?? false
        case .scriptData: return false
        }
    }
}
