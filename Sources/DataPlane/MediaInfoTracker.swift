import ControlProtocol
import FLV
import NIOCore
import RTMP

/// Codec parameters of a stream, read from `onMetaData` and the sequence headers.
struct MediaInfoTracker: Sendable {
    private(set) var video: VideoInfo?
    private(set) var audio: AudioInfo?

    mutating func observe(_ frame: MediaFrame) {
        switch frame.kind {
        case .scriptData:
            guard let data = try? DataMessage(message: RTMPMessage(typeID: 18, streamID: 0, timestamp: 0, payload: frame.payload)),
                  let properties = data.values.dropFirst().first else { return }
            observeMetadata(properties)
        case .video:
            // The API reports the primary track (E-RTMP track 0).
            guard let header = FLVVideoTagHeader(payload: frame.payload), header.trackID == 0 else { return }
            var info = video ?? VideoInfo(codec: header.codec.name)
            info.codec = header.codec.name
            if header.codec == .avc, header.isSequenceHeader,
               let bytes = frame.payload.getBytes(at: frame.payload.readerIndex + header.headerLength,
                                                  length: frame.payload.readableBytes - header.headerLength),
               let record = try? AVCDecoderConfigurationRecord(bytes: bytes) {
                info.profile = Self.avcProfileName(record.profile)
                if let sps = record.sequenceParameterSets.first.flatMap({ try? H264SequenceParameterSet(nalUnit: $0) }) {
                    info.width = sps.width
                    info.height = sps.height
                    if let fps = sps.frameRate { info.fps = fps }
                }
            }
            if header.codec == .hevc, header.isSequenceHeader,
               let bytes = frame.payload.getBytes(at: frame.payload.readerIndex + header.headerLength,
                                                  length: frame.payload.readableBytes - header.headerLength),
               let record = try? HEVCDecoderConfigurationRecord(bytes: bytes) {
                info.profile = record.profile == 1 ? "Main" : record.profile == 2 ? "Main 10" : "profile \(record.profile)"
                if let sps = record.sequenceParameterSet {
                    info.width = sps.width
                    info.height = sps.height
                }
            }
            if header.codec == .av1, header.isSequenceHeader,
               let bytes = frame.payload.getBytes(at: frame.payload.readerIndex + header.headerLength,
                                                  length: frame.payload.readableBytes - header.headerLength),
               let sequence = try? AV1SequenceHeader(configurationRecord: bytes) {
                info.width = sequence.width
                info.height = sequence.height
            }
            video = info
        case .audio:
            guard let header = FLVAudioTagHeader(payload: frame.payload), header.trackID == 0 else { return }
            var info = audio ?? AudioInfo(codec: header.codecName)
            info.codec = header.codecName
            if header.isSequenceHeader, header.isAAC,
               let bytes = frame.payload.getBytes(at: frame.payload.readerIndex + header.headerLength,
                                                  length: frame.payload.readableBytes - header.headerLength),
               let config = try? AudioSpecificConfig(bytes: bytes) {
                info.sampleRate = config.sampleRate
                info.channels = config.channelCount ?? info.channels
            }
            if header.isSequenceHeader, header.isOpus,
               let bytes = frame.payload.getBytes(at: frame.payload.readerIndex + header.headerLength,
                                                  length: frame.payload.readableBytes - header.headerLength),
               let head = try? OpusHead(bytes: bytes) {
                info.sampleRate = 48000  // Opus always decodes at 48 kHz (RFC 7845 5.1: the input rate is informative)
                info.channels = Int(head.channelCount)
            }
            audio = info
        }
    }

    /// Metadata numbers come from the publisher: NaN, infinities and absurd values (1e300) are
    /// ignored, never converted (a failed `Int(Double)` would trap the relay).
    private mutating func observeMetadata(_ properties: AMF0Value) {
        let dimension = { (key: String) in properties[key]?.numberValue.flatMap { Int(networkNumber: $0, in: 1...65_535) } }
        if let width = dimension("width"), let height = dimension("height") {
            var info = video ?? VideoInfo(codec: Self.videoCodecName(properties["videocodecid"]))
            info.width = width
            info.height = height
            if let fps = (properties["framerate"]?.numberValue ?? properties["fps"]?.numberValue)?.finite(in: 0.001...1000) { info.fps = fps }
            video = info
        }
        if let rate = properties["audiosamplerate"]?.numberValue {
            var info = audio ?? AudioInfo(codec: Self.audioCodecName(properties["audiocodecid"]))
            if info.sampleRate == nil { info.sampleRate = Int(networkNumber: rate, in: 1...1_000_000) }
            if info.channels == nil, let stereo = properties["stereo"]?.boolValue { info.channels = stereo ? 2 : 1 }
            audio = info
        }
    }

    static func avcProfileName(_ profile: UInt8) -> String {
        switch profile {
        case 66: return "Baseline"
        case 77: return "Main"
        case 88: return "Extended"
        case 100: return "High"
        case 110: return "High 10"
        case 122: return "High 4:2:2"
        case 244: return "High 4:4:4"
        default: return "profile \(profile)"
        }
    }

    static func videoCodecName(_ id: AMF0Value?) -> String {
        switch id {
        case .number(7): return "h264"
        case .number(12): return "hevc"
        case .string(let s): return s
        default: return "unknown"
        }
    }

    static func audioCodecName(_ id: AMF0Value?) -> String {
        switch id {
        case .number(10): return "aac"
        case .number(2): return "mp3"
        case .string(let s): return s
        default: return "unknown"
        }
    }
}

extension FLVVideoTagHeader.Codec {
    var name: String {
        switch self {
        case .avc: return "h264"
        case .hevc: return "hevc"
        case .av1: return "av1"
        case .vp9: return "vp9"
        case .other(let id): return id == 4 ? "vp6" : id == 2 ? "h263" : "codec-\(id)"
        case .otherFourCC(let code): return fourCCText(code)
        }
    }
}

extension FLVAudioTagHeader {
    var codecName: String {
        if let fourCC {
            switch fourCC {
            case AudioFourCC.opus: return "opus"
            case AudioFourCC.flac: return "flac"
            case AudioFourCC.ac3: return "ac3"
            case AudioFourCC.eac3: return "eac3"
            case AudioFourCC.mp4a: return "aac"
            case AudioFourCC.mp3: return "mp3"
            default: return fourCCText(fourCC)
            }
        }
        switch soundFormat {
        case 10: return "aac"
        case 2, 14: return "mp3"
        case 11: return "speex"
        case 0, 3: return "pcm"
        case 7: return "pcm-alaw"
        case 8: return "pcm-mulaw"
        case 4, 5, 6: return "nellymoser"
        default: return "format-\(soundFormat)"
        }
    }
}

/// A FourCC as text when printable ("Opus"), else as hex.
private func fourCCText(_ code: UInt32) -> String {
    let bytes = (0..<4).map { UInt8(truncatingIfNeeded: code >> (24 - 8 * $0)) }
    return bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F } ? String(decoding: bytes, as: UTF8.self) : "0x" + String(code, radix: 16)
}
