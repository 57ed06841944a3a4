import NIOCore

/// The first byte(s) of an FLV video tag body (FLV spec v10.1, E.4.3.1 VIDEODATA, AVCVIDEOPACKET),
/// legacy or E-RTMP (`ExVideoTag`; for a multitrack message, the fields describe its first track).
public struct FLVVideoTagHeader: Sendable, Equatable {
    /// FrameType: 1 keyframe, 2 inter frame, 3 disposable inter, 4 generated keyframe, 5 info/command.
    public enum FrameType: UInt8, Sendable { case key = 1, inter = 2, disposableInter = 3, generatedKey = 4, command = 5 }
    /// CodecID 7 or FourCC `avc1` is AVC (H.264); CodecID 12 or `hvc1` HEVC; `av01` AV1; `vp09` VP9.
    public enum Codec: Equatable, Sendable { case avc, hevc, av1, vp9, other(UInt8), otherFourCC(UInt32) }
    /// AVCPacketType: 0 sequence header (AVCDecoderConfigurationRecord), 1 NALUs, 2 end of sequence;
    /// E-RTMP SequenceStart, CodedFrames(X) and SequenceEnd map onto them.
    public enum PacketType: UInt8, Sendable { case sequenceHeader = 0, nalu = 1, endOfSequence = 2 }

    public var frameType: FrameType?
    public var codec: Codec
    /// Only for AVC/HEVC.
    public var packetType: PacketType?
    /// Composition time offset in milliseconds (pts − dts), only for AVC/HEVC NALU packets.
    public var compositionTime: Int32
    /// Bytes of header before the codec payload (1 for non-AVC, 5 for AVC, more for E-RTMP).
    public var headerLength: Int
    /// The E-RTMP header, when the message has one (IsExHeader).
    public var extended: ExVideoTag?
    /// The E-RTMP track id of the first track (0 for legacy and single-track messages).
    public var trackID: UInt8 { extended?.tracks.first?.trackID ?? 0 }

    public var isKeyframe: Bool { extended?.isKeyframe ?? (frameType == .key || frameType == .generatedKey) }
    public var isSequenceHeader: Bool { packetType == .sequenceHeader }

    /// Parses the header at the reader index of `payload` without moving it; nil when too short.
    public init?(payload: ByteBuffer) {
        guard let first = payload.getInteger(at: payload.readerIndex, as: UInt8.self) else { return nil }
        if first & 0x80 != 0 {
            guard let tag = ExVideoTag(payload: payload) else { return nil }
            self = FLVVideoTagHeader(extended: tag, payloadLength: payload.readableBytes)
            return
        }
        extended = nil
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

    private init(extended tag: ExVideoTag, payloadLength: Int) {
        extended = tag
        frameType = FrameType(rawValue: tag.frameType)
        let track = tag.tracks.first
        switch track?.fourCC {
        case VideoFourCC.avc1: codec = .avc
        case VideoFourCC.hvc1: codec = .hevc
        case VideoFourCC.av01: codec = .av1
        case VideoFourCC.vp09: codec = .vp9
        case let value?: codec = .otherFourCC(value)
        case nil: codec = .other(0)
        }
        switch tag.packetType {
        case .sequenceStart: packetType = .sequenceHeader
        case .codedFrames, .codedFramesX: packetType = .nalu
        case .sequenceEnd: packetType = .endOfSequence
        default: packetType = nil
        }
        compositionTime = track?.compositionTime ?? 0
        headerLength = track?.dataOffset ?? payloadLength
    }
}

/// The first byte(s) of an FLV audio tag body (FLV spec v10.1, E.4.2.1 AUDIODATA, AACAUDIODATA),
/// legacy or E-RTMP (SoundFormat 9, `ExAudioTag`; for multitrack, the fields describe the first track).
public struct FLVAudioTagHeader: Sendable, Equatable {
    /// SoundFormat: 10 is AAC, 2 MP3, 11 Speex, 0/3 linear PCM, 9 E-RTMP (see `fourCC`).
    public var soundFormat: UInt8
    /// For AAC: 0 sequence header (AudioSpecificConfig), 1 raw frame.
    public var aacPacketType: UInt8?
    public var headerLength: Int
    /// The E-RTMP header, when SoundFormat is 9.
    public var extended: ExAudioTag?

    /// The E-RTMP FourCC of the first track (`Opus`, `fLaC`, `ac-3`, `ec-3`, `.mp3`, `mp4a`).
    public var fourCC: UInt32? { extended?.tracks.first?.fourCC }
    /// The E-RTMP track id of the first track (0 for legacy and single-track messages).
    public var trackID: UInt8 { extended?.tracks.first?.trackID ?? 0 }
    public var isAAC: Bool { soundFormat == 10 || fourCC == AudioFourCC.mp4a }
    public var isOpus: Bool { fourCC == AudioFourCC.opus }
    public var isSequenceHeader: Bool { extended.map { $0.isSequenceHeader } ?? (isAAC && aacPacketType == 0) }
    /// True for frames of coded audio (not configuration, not end of sequence).
    public var isCodedFrame: Bool { extended.map { $0.packetType == .codedFrames } ?? !(isAAC && aacPacketType == 0) }

    public init?(payload: ByteBuffer) {
        guard let first = payload.getInteger(at: payload.readerIndex, as: UInt8.self) else { return nil }
        soundFormat = first >> 4
        extended = nil
        if soundFormat == 9 {
            guard let tag = ExAudioTag(payload: payload) else { return nil }
            extended = tag
            aacPacketType = nil
            headerLength = tag.tracks.first?.dataOffset ?? payload.readableBytes
        } else if soundFormat == 10 {
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

    /// True for AVC/HEVC/AV1/VP9 or AAC/Opus/... sequence headers (legacy or E-RTMP), which a new
    /// player needs before any frame.
    public var isSequenceHeader: Bool {
        switch kind {
        case .video: return FLVVideoTagHeader(payload: payload)?.isSequenceHeader ?? false
        case .audio: return FLVAudioTagHeader(payload: payload)?.isSequenceHeader ?? false
        case .scriptData: return false
        }
    }
}

extension MediaFrame {
    /// The E-RTMP track id of an audio or video frame (of its first track when multitrack); 0 otherwise.
    public var trackID: UInt8 {
        switch kind {
        case .video: return FLVVideoTagHeader(payload: payload)?.trackID ?? 0
        case .audio: return FLVAudioTagHeader(payload: payload)?.trackID ?? 0
        case .scriptData: return 0
        }
    }

    /// True when the frame uses an E-RTMP header (video IsExHeader, audio SoundFormat 9).
    public var isEnhanced: Bool {
        guard let first = payload.getInteger(at: payload.readerIndex, as: UInt8.self) else { return false }
        switch kind {
        case .video: return first & 0x80 != 0
        case .audio: return first >> 4 == 9
        case .scriptData: return false
        }
    }
}
