import FLV
import NIOCore

/// The synthetic video stream the probe publishes: one AVC sequence header (a real 320x240
/// baseline SPS and PPS, so relays that parse it accept it), then stamped frames at a fixed rate
/// with a keyframe every `keyframeInterval` frames.
public struct SyntheticAVCStream: Sendable {
    public var framesPerSecond: Int
    public var keyframeInterval: Int

    public init(framesPerSecond: Int = 25, keyframeInterval: Int = 25) {
        self.framesPerSecond = max(1, framesPerSecond)
        self.keyframeInterval = max(1, keyframeInterval)
    }

    /// SPS and PPS of a 320x240 constrained-baseline stream, level 1.3, as x264 writes them.
    static let configuration = AVCDecoderConfigurationRecord(
        profile: 0x42, profileCompatibility: 0xC0, level: 0x0D,
        sequenceParameterSets: [[0x67, 0x42, 0xC0, 0x0D, 0xDA, 0x05, 0x07, 0xEC, 0x04, 0x40, 0x00, 0x00, 0x03, 0x00,
                                 0x40, 0x00, 0x00, 0x0C, 0xA3, 0xC5, 0x0A, 0xA8]],
        pictureParameterSets: [[0x68, 0xCE, 0x0F, 0xC8]])

    /// The FLV tag body of the AVC sequence header (keyframe, AVCPacketType 0).
    public var sequenceHeader: ByteBuffer {
        var body = ByteBuffer(bytes: [0x17, 0x00, 0x00, 0x00, 0x00])
        body.writeBytes(Self.configuration.bytes)
        return body
    }

    /// Nanoseconds between frames.
    public var frameIntervalNanoseconds: Int64 { 1_000_000_000 / Int64(framesPerSecond) }

    /// The RTMP timestamp (ms) of frame `sequence`.
    public func timestamp(of sequence: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: sequence * 1000 / UInt64(framesPerSecond))
    }

    /// The tag body of frame `sequence` sent at `nanoseconds`.
    public func frame(_ sequence: UInt64, sentAt nanoseconds: UInt64) -> ByteBuffer {
        LatencyStamp(sequence: sequence, sentNanoseconds: nanoseconds)
            .videoTagBody(keyframe: sequence % UInt64(keyframeInterval) == 0)
    }
}
