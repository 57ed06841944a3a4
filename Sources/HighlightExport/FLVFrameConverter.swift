import FLV
import ISOBMFF
import NIOCore

/// Turns export-source samples into the FLV frames RTMP carries (FLV spec v10.1, E.4.2.1
/// AUDIODATA/AACAUDIODATA and E.4.3.1 VIDEODATA/AVCVIDEOPACKET), for VOD playback of MP4/F4V,
/// FLV and DVR sources alike.
///
/// ```
/// video: [frameType<<4 | 7] [AVCPacketType: 0 config, 1 NALUs] [composition time SI24] [avcC | NAL units]
/// audio: [0xAF: AAC, 44 kHz, 16 bit, stereo — fixed for AAC] [AACPacketType: 0 config, 1 raw] [ASC | raw AAC]
/// ```
public enum FLVFrameConverter {
    /// The sequence header for `description`: the `avcC` record or the `esds` AudioSpecificConfig;
    /// nil for descriptions FLV cannot carry.
    public static func sequenceHeader(_ description: SampleDescription, timestamp: UInt32) -> MediaFrame? {
        switch description {
        case .avc(let entry):
            var payload = ByteBuffer(bytes: [0x17, 0, 0, 0, 0])
            payload.writeBytes(entry.decoderConfiguration)
            return MediaFrame(kind: .video, timestamp: timestamp, payload: payload)
        case .aac(let entry):
            var payload = ByteBuffer(bytes: [0xAF, 0])
            payload.writeBytes(entry.audioSpecificConfig)
            return MediaFrame(kind: .audio, timestamp: timestamp, payload: payload)
        case .codec(let entry):
            // E-RTMP SequenceStart: [0x90 | PacketType 0] FourCC configuration (Opus: the RFC 7845 header).
            guard let fourCC = Self.enhancedFourCC(entry) else { return nil }
            var payload = ByteBuffer(bytes: [0x90])
            payload.writeBytes(fourCC)
            if entry.format == "Opus" {
                guard let head = try? OpusHead(opusSpecificBox: entry.configuration) else { return nil }
                payload.writeBytes(head.bytes)
            } else {
                payload.writeBytes(entry.configuration)
            }
            return MediaFrame(kind: entry.kind == .video ? .video : .audio, timestamp: timestamp, payload: payload)
        case .unsupported:
            return nil
        }
    }

    /// The E-RTMP FourCC of an `hvc1`/`hev1`, `av01`, `vp09` or `Opus` entry.
    static func enhancedFourCC(_ entry: CodecSampleEntry) -> [UInt8]? {
        switch entry.format {
        case "hvc1", "hev1": return Array("hvc1".utf8)
        case "av01": return Array("av01".utf8)
        case "vp09": return Array("vp09".utf8)
        case "Opus": return Array("Opus".utf8)
        default: return nil
        }
    }

    /// One sample as a frame: H.264 access units keep their length-prefixed NAL units, AAC frames
    /// their raw bytes. `compositionTime` (pts − dts, ms) is clamped to the SI24 range.
    /// With an E-RTMP `description` (HEVC, AV1, VP9, Opus) the frame gets the E-RTMP CodedFrames
    /// header instead: [frameType<<4 | 0x81] FourCC [SI24 composition time: HEVC only].
    public static func frame(kind: TrackKind, isSync: Bool, timestamp: UInt32, compositionTime: Int32 = 0,
                             payload: ByteBuffer, description: SampleDescription? = nil) -> MediaFrame {
        var body: ByteBuffer
        let cts = UInt32(bitPattern: min(max(compositionTime, -0x80_0000), 0x7F_FFFF))
        let ctsBytes = [UInt8(cts >> 16 & 0xFF), UInt8(cts >> 8 & 0xFF), UInt8(cts & 0xFF)]
        if case .codec(let entry)? = description, let fourCC = enhancedFourCC(entry) {
            body = ByteBuffer(bytes: [kind == .video ? (isSync ? 0x91 : 0xA1) : 0x91] + fourCC)
            if fourCC == Array("hvc1".utf8) { body.writeBytes(ctsBytes) }
        } else {
            switch kind {
            case .video: body = ByteBuffer(bytes: [isSync ? 0x17 : 0x27, 1] + ctsBytes)
            case .audio: body = ByteBuffer(bytes: [0xAF, 1])
            }
        }
        var payload = payload
        body.writeBuffer(&payload)
        return MediaFrame(kind: kind == .video ? .video : .audio, timestamp: timestamp, payload: body)
    }
}
