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
            guard let header = FLVVideoTagHeader(payload: frame.payload) else { return }
            var info = video ?? VideoInfo(codec: header.codec.name)
            info.codec = header.codec.name
            if header.codec == .avc, header.isSequenceHeader,
               let profile = frame.payload.getInteger(at: frame.payload.readerIndex + 6, as: UInt8.self) {
                // AVCDecoderConfigurationRecord: version, then AVCProfileIndication.
                info.profile = Self.avcProfileName(profile)
            }
            video = info
        case .audio:
            guard let header = FLVAudioTagHeader(payload: frame.payload) else { return }
            var info = audio ?? AudioInfo(codec: header.codecName)
            info.codec = header.codecName
            if header.isSequenceHeader,
               let b0 = frame.payload.getInteger(at: frame.payload.readerIndex + 2, as: UInt8.self),
               let b1 = frame.payload.getInteger(at: frame.payload.readerIndex + 3, as: UInt8.self) {
                // AudioSpecificConfig: objectType(5) samplingFrequencyIndex(4) channelConfiguration(4).
                let frequencyIndex = Int((b0 & 0x07) << 1 | b1 >> 7)
                let rates = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350]
                if frequencyIndex < rates.count { info.sampleRate = rates[frequencyIndex] }
                info.channels = Int((b1 >> 3) & 0x0F)
            }
            audio = info
        }
    }

    private mutating func observeMetadata(_ properties: AMF0Value) {
        if let width = properties["width"]?.numberValue, let height = properties["height"]?.numberValue {
            var info = video ?? VideoInfo(codec: Self.videoCodecName(properties["videocodecid"]))
            info.width = Int(width)
            info.height = Int(height)
            if let fps = properties["framerate"]?.numberValue ?? properties["fps"]?.numberValue, fps > 0 { info.fps = fps }
            video = info
        }
        if let rate = properties["audiosamplerate"]?.numberValue {
            var info = audio ?? AudioInfo(codec: Self.audioCodecName(properties["audiocodecid"]))
            if info.sampleRate == nil { info.sampleRate = Int(rate) }
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
        case .other(let id): return id == 4 ? "vp6" : id == 2 ? "h263" : "codec-\(id)"
        }
    }
}

extension FLVAudioTagHeader {
    var codecName: String {
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
