import FLV
import NIOCore
import Testing

@Suite struct FLVTagHeaderTests {
    @Test func avcKeyframeWithNegativeCompositionTime() throws {
        let payload = ByteBuffer(bytes: [0x17, 0x01, 0xFF, 0xFF, 0xD8, 0x00])
        let header = try #require(FLVVideoTagHeader(payload: payload))
        #expect(header.isKeyframe)
        #expect(header.codec == .avc)
        #expect(header.packetType == .nalu)
        #expect(header.compositionTime == -40)
        #expect(MediaFrame(kind: .video, timestamp: 0, payload: payload).isVideoKeyframe)
    }

    @Test func aacSequenceHeader() throws {
        let frame = MediaFrame(kind: .audio, timestamp: 0, payload: ByteBuffer(bytes: [0xAF, 0x00, 0x12, 0x10]))
        #expect(frame.isSequenceHeader)
        #expect(!frame.isVideoKeyframe)
    }

    @Test func truncatedAVCHeaderIsRejected() {
        #expect(FLVVideoTagHeader(payload: ByteBuffer(bytes: [0x17, 0x01])) == nil)
    }
}
