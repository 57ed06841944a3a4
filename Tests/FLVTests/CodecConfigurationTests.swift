import FLV
import NIOCore
import Testing

@Suite struct CodecConfigurationTests {
    // From an ffmpeg/x264 encode of testsrc2 at 320x240, 25 fps, High profile (avcC of the mp4).
    static let record: [UInt8] = hex("0164000dffe100196764000dacd94141fb011000000300100000030320f142996001000468ef8fcbfdf8f800")

    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }

    @Test func x264SequenceParameterSet() throws {
        let avc = try AVCDecoderConfigurationRecord(bytes: Self.record)
        #expect(avc.bytes == Self.record)
        let sps = try H264SequenceParameterSet(nalUnit: try #require(avc.sequenceParameterSets.first))
        #expect(sps.profile == 100)
        #expect(sps.level == 13)
        #expect(sps.width == 320)
        #expect(sps.height == 240)
        #expect(sps.frameRate == 25)
    }

    @Test func croppedBaselineSequenceParameterSet() throws {
        // x264 Baseline 1920x1080 at 30 fps: 120x68 macroblocks (1088 lines) cropped by 8 lines.
        let sps = try H264SequenceParameterSet(nalUnit: Self.hex("6742c028da01e0089f970110000003001000000303c0f1832a"))
        #expect(sps.profile == 66)
        #expect(sps.width == 1920)
        #expect(sps.height == 1080)
        #expect(sps.frameRate == 30)
    }

    @Test func malformedSequenceParameterSets() {
        #expect(throws: H264SequenceParameterSet.ParseError.notASequenceParameterSet) {
            try H264SequenceParameterSet(nalUnit: [0x68, 0xEE])
        }
        #expect(throws: H264SequenceParameterSet.ParseError.self) { try H264SequenceParameterSet(nalUnit: [0x67, 0x64]) }
        #expect(throws: H264SequenceParameterSet.ParseError.self) {
            try H264SequenceParameterSet(nalUnit: [0x67] + [UInt8](repeating: 0, count: 40))
        }
    }

    @Test(arguments: [
        ([0x12, 0x10] as [UInt8], 2, 44100, 2),
        ([0x11, 0x90] as [UInt8], 2, 48000, 2),
        ([0x11, 0x88, 0x56, 0xE5, 0x00] as [UInt8], 2, 48000, 1),
        ([0x13, 0x88] as [UInt8], 2, 22050, 1),
    ])
    func audioSpecificConfig(bytes: [UInt8], objectType: Int, rate: Int, channels: Int) throws {
        let config = try AudioSpecificConfig(bytes: bytes)
        #expect(config.objectType == objectType)
        #expect(config.sampleRate == rate)
        #expect(config.channelConfiguration == channels)
        #expect(config.channelCount == channels)
        #expect(try AudioSpecificConfig(bytes: config.bytes) == config)
    }

    @Test func audioSpecificConfigExplicitRateAndErrors() throws {
        let odd = AudioSpecificConfig(objectType: 2, sampleRate: 50000, channelConfiguration: 2)
        #expect(try AudioSpecificConfig(bytes: odd.bytes) == odd)
        #expect(throws: AudioSpecificConfig.ParseError.truncated) { try AudioSpecificConfig(bytes: [0x12]) }
        #expect(throws: AudioSpecificConfig.ParseError.reservedSampleRateIndex(13)) { try AudioSpecificConfig(bytes: [0x16, 0x90]) }
    }
}

@Suite struct FLVFileFormatTests {
    static let frames = [
        MediaFrame(kind: .scriptData, timestamp: 0, payload: ByteBuffer(bytes: [2, 0, 10])),
        MediaFrame(kind: .video, timestamp: 0, payload: ByteBuffer(bytes: [0x17, 0, 0, 0, 0] + CodecConfigurationTests.record)),
        MediaFrame(kind: .audio, timestamp: 23, payload: ByteBuffer(bytes: [0xAF, 1, 9, 9, 9])),
        MediaFrame(kind: .video, timestamp: 0x1234_5678, payload: ByteBuffer(bytes: [0x27, 1, 0, 0, 40, 0, 0, 0, 1, 0x41])),
    ]

    static func file() -> ByteBuffer {
        var buffer = FLVFileWriter.header(hasAudio: true, hasVideo: true)
        for frame in frames { FLVFileWriter.writeTag(frame, into: &buffer) }
        return buffer
    }

    @Test func writtenTagsReadBackOneByteAtATime() throws {
        let file = Self.file()
        #expect(file.getBytes(at: 0, length: 13) == [0x46, 0x4C, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0])
        var reader = FLVFileReader()
        var frames: [MediaFrame] = []
        for byte in file.readableBytesView {
            reader.append(ByteBuffer(bytes: [byte]))
            while let frame = try reader.nextFrame() { frames.append(frame) }
        }
        #expect(frames == Self.frames)
        #expect(reader.hasAudio && reader.hasVideo)
        // Each PreviousTagSize equals 11 + the tag's data size: the last 4 bytes here.
        let last = Self.frames[3].payload.readableBytes
        #expect(file.getInteger(at: file.writerIndex - 4, as: UInt32.self) == UInt32(11 + last))
    }

    @Test func rejectsOtherFilesAndOversizedTags() throws {
        var notFLV = FLVFileReader()
        notFLV.append(ByteBuffer(bytes: Array("ftypisom0000".utf8)))
        #expect(throws: FLVFileReader.ReadError.notFLV) { try notFLV.nextFrame() }
        var small = FLVFileReader(maximumTagSize: 8)
        small.append(Self.file())
        #expect(throws: FLVFileReader.ReadError.tagTooLarge(5 + 44)) { _ = try small.nextFrame(); _ = try small.nextFrame() }
    }
}
