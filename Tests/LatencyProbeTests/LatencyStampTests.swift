import FLV
import LatencyProbe
import NIOCore
import Testing

@Suite struct LatencyStampTests {
    @Test(arguments: [
        LatencyStamp(sequence: 0, sentNanoseconds: 0),
        LatencyStamp(sequence: 1, sentNanoseconds: 0x0000_0001_0000_0002),
        LatencyStamp(sequence: 0x0300_0000_0000_0000, sentNanoseconds: 0x0000_0300_0003_0000),
        LatencyStamp(sequence: .max, sentNanoseconds: .max),
    ])
    func roundTrips(stamp: LatencyStamp) {
        for keyframe in [true, false] {
            let body = stamp.videoTagBody(keyframe: keyframe)
            #expect(LatencyStamp(videoTagBody: body) == stamp)
        }
    }

    @Test func bodyIsAnAVCNALUTagWithTheRightFrameType() throws {
        let key = LatencyStamp(sequence: 7, sentNanoseconds: 9).videoTagBody(keyframe: true)
        let header = try #require(FLVVideoTagHeader(payload: key))
        #expect(header.isKeyframe)
        #expect(header.codec == .avc)
        #expect(header.packetType == .nalu)
        let inter = try #require(FLVVideoTagHeader(payload: LatencyStamp(sequence: 8, sentNanoseconds: 9).videoTagBody(keyframe: false)))
        #expect(!inter.isKeyframe)
    }

    @Test func nalPayloadHasNoStartCodePattern() {
        // Zeros everywhere would make 00 00 00/01 runs without emulation prevention.
        var body = LatencyStamp(sequence: 0, sentNanoseconds: 0).videoTagBody(keyframe: false)
        body.moveReaderIndex(forwardBy: 9)
        let nal = body.readBytes(length: body.readableBytes) ?? []
        for index in 0..<(nal.count - 2) {
            #expect(!(nal[index] == 0 && nal[index + 1] == 0 && nal[index + 2] <= 2))
        }
    }

    @Test(arguments: [
        ([0x00, 0x00, 0x00], [0x00, 0x00, 0x03, 0x00]),
        ([0x00, 0x00, 0x01, 0x00, 0x00, 0x04], [0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x04]),
        ([0x00, 0x00, 0x00, 0x00], [0x00, 0x00, 0x03, 0x00, 0x00]),
        ([0x01, 0x02], [0x01, 0x02]),
    ] as [([UInt8], [UInt8])])
    func emulationPrevention(raw: [UInt8], escaped: [UInt8]) {
        #expect(EmulationPrevention.escape(raw) == escaped)
        #expect(EmulationPrevention.unescape(escaped) == raw)
    }

    @Test func otherPayloadsCarryNoStamp() {
        #expect(LatencyStamp(videoTagBody: ByteBuffer()) == nil)
        #expect(LatencyStamp(videoTagBody: SyntheticAVCStream().sequenceHeader) == nil)
        #expect(LatencyStamp(videoTagBody: ByteBuffer(bytes: [0x27, 0x01, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF])) == nil)
        #expect(LatencyStamp(videoTagBody: ByteBuffer(bytes: [0x27, 0x01, 0, 0, 0, 0, 0, 0, 2, 0x06, 0x05])) == nil)
        // An SEI of another kind (x264's own user data has a different UUID).
        var other = ByteBuffer(bytes: [0x27, 0x01, 0, 0, 0])
        let sei: [UInt8] = [0x06, 0x05, 32] + [UInt8](repeating: 0x11, count: 32) + [0x80]
        other.writeInteger(UInt32(sei.count))
        other.writeBytes(sei)
        #expect(LatencyStamp(videoTagBody: other) == nil)
    }

    @Test func syntheticStreamHeaderParsesAndKeyframesRecur() throws {
        let stream = SyntheticAVCStream(framesPerSecond: 25, keyframeInterval: 25)
        var header = stream.sequenceHeader
        #expect(header.readBytes(length: 5) == [0x17, 0, 0, 0, 0])
        let record = try AVCDecoderConfigurationRecord(bytes: header.readBytes(length: header.readableBytes) ?? [])
        #expect(record.sequenceParameterSets.count == 1)
        let sps = try H264SequenceParameterSet(nalUnit: record.sequenceParameterSets[0])
        #expect(sps.width == 320 && sps.height == 240)
        #expect(stream.timestamp(of: 25) == 1000)
        #expect(FLVVideoTagHeader(payload: stream.frame(50, sentAt: 1))?.isKeyframe == true)
        #expect(FLVVideoTagHeader(payload: stream.frame(51, sentAt: 1))?.isKeyframe == false)
    }
}
