import FLV
import HighlightExport
import ISOBMFF
import NIOCore
import Testing

/// MP4 sample entries of E-RTMP codecs become E-RTMP frames for VOD, and back into the same
/// descriptions (what the DVR export reads).
@Suite struct EnhancedVODFrameTests {
    static let hevc = SampleDescription.codec(CodecSampleEntry(format: "hvc1", configurationType: "hvcC", configuration: [1, 2, 3]))
    static let av1 = SampleDescription.codec(CodecSampleEntry(format: "av01", configurationType: "av1C", configuration: [0x81, 0, 0x0C, 0]))
    static let opus = SampleDescription.codec(CodecSampleEntry(format: "Opus", configurationType: "dOps",
                                                               configuration: [0, 2, 0x01, 0x38, 0, 0, 0xBB, 0x80, 0, 0, 0],
                                                               channelCount: 2, sampleRate: 48000))

    @Test func sequenceHeadersAreERTMPSequenceStarts() throws {
        let video = try #require(FLVFrameConverter.sequenceHeader(Self.hevc, timestamp: 0))
        #expect(Array(video.payload.readableBytesView) == [0x90] + Array("hvc1".utf8) + [1, 2, 3])
        #expect(video.isSequenceHeader)
        let av1 = try #require(FLVFrameConverter.sequenceHeader(Self.av1, timestamp: 0))
        #expect(FLVVideoTagHeader(payload: av1.payload)?.codec == .av1)
        #expect(SampleDescription(sequenceHeader: av1) == Self.av1)
        let audio = try #require(FLVFrameConverter.sequenceHeader(Self.opus, timestamp: 0))
        #expect(audio.isSequenceHeader)
        #expect(SampleDescription(sequenceHeader: audio) == Self.opus, "dOps → OpusHead → dOps")
    }

    @Test func samplesBecomeCodedFrames() {
        let key = FLVFrameConverter.frame(kind: .video, isSync: true, timestamp: 80, compositionTime: 40, payload: ByteBuffer(bytes: [7]),
                                          description: Self.hevc)
        let header = FLVVideoTagHeader(payload: key.payload)
        #expect(header?.codec == .hevc && header?.compositionTime == 40 && header?.headerLength == 8)
        #expect(key.isVideoKeyframe)
        let inter = FLVFrameConverter.frame(kind: .video, isSync: false, timestamp: 120, payload: ByteBuffer(bytes: [7]), description: Self.av1)
        #expect(Array(inter.payload.readableBytesView) == [0xA1] + Array("av01".utf8) + [7])
        #expect(!inter.isVideoKeyframe)
        let audio = FLVFrameConverter.frame(kind: .audio, isSync: true, timestamp: 0, payload: ByteBuffer(bytes: [5]), description: Self.opus)
        #expect(FLVAudioTagHeader(payload: audio.payload)?.isOpus == true)
        #expect(FLVAudioTagHeader(payload: audio.payload)?.isCodedFrame == true)
    }
}
