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
        case .codec, .unsupported:
            // VOD plays H.264/AAC files; E-RTMP sources are not converted back (yet).
            return nil
        }
    }

    /// One sample as a frame: H.264 access units keep their length-prefixed NAL units, AAC frames
    /// their raw bytes. `compositionTime` (pts − dts, ms) is clamped to the SI24 range.
    public static func frame(kind: TrackKind, isSync: Bool, timestamp: UInt32, compositionTime: Int32 = 0,
                             payload: ByteBuffer) -> MediaFrame {
        var body: ByteBuffer
        switch kind {
        case .video:
            let cts = UInt32(bitPattern: min(max(compositionTime, -0x80_0000), 0x7F_FFFF))
            body = ByteBuffer(bytes: [isSync ? 0x17 : 0x27, 1, UInt8(cts >> 16 & 0xFF), UInt8(cts >> 8 & 0xFF), UInt8(cts & 0xFF)])
        case .audio:
            body = ByteBuffer(bytes: [0xAF, 1])
        }
        var payload = payload
        body.writeBuffer(&payload)
        return MediaFrame(kind: kind == .video ? .video : .audio, timestamp: timestamp, payload: body)
    }
}
