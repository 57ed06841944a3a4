import FLV
import Testing

@Suite struct HEVCAndOpusConfigurationTests {
    // From an ffmpeg 9/x265 encode of testsrc2 at 320x240 (the mp4's hvcC, VPS/SPS/PPS arrays kept).
    static let hvcC = CodecConfigurationTests.hex(
        "0101600000009000000000003cf000fcfdf8f800000f03200001001840010c01ffff01600000030090000003000003003c959809"
            + "210001002a42010101600000030090000003000003003ca00a080f165959a4932bc05a02000003000200000300321022"
            + "000100074401c172b46240")
    // The same encode's libopus dOps (mono, pre-skip 312, 48 kHz).
    static let dOps = CodecConfigurationTests.hex("000101380000bb80000000")

    @Test func x265RecordAndSequenceParameterSet() throws {
        let record = try HEVCDecoderConfigurationRecord(bytes: Self.hvcC)
        #expect(record.profile == 1)
        #expect(record.nalUnitLengthSize == 4)
        #expect(record.nalUnits.map(\.type) == [32, 33, 34])
        let sps = try #require(record.sequenceParameterSet)
        #expect(sps.width == 320 && sps.height == 240)
    }

    @Test func truncatedRecordsThrow() {
        for length in [0, 5, 22, 23, 30, 60] {
            #expect(throws: (any Error).self) { try HEVCDecoderConfigurationRecord(bytes: Array(Self.hvcC.prefix(length))) }
        }
        #expect(throws: HEVCDecoderConfigurationRecord.ParseError.unsupportedVersion(2)) {
            try HEVCDecoderConfigurationRecord(bytes: [2] + Self.hvcC.dropFirst())
        }
    }

    @Test func spsGarbageIsRejected() {
        #expect(throws: (any Error).self) { try HEVCSequenceParameterSet(nalUnit: [0x42, 0x01, 0xFF]) }
        #expect(throws: (any Error).self) { try HEVCSequenceParameterSet(nalUnit: [0x40, 0x01, 0x0C]) }  // a VPS
    }

    // An ffmpeg 9/SVT-AV1 encode of testsrc2 at 320x240 (the mp4's av1C).
    static let av1C = CodecConfigurationTests.hex("81000c000a0b0200000521e7fde017c002")

    @Test func svtAV1SequenceHeader() throws {
        let header = try AV1SequenceHeader(configurationRecord: Self.av1C)
        #expect(header.width == 320 && header.height == 240)
        for length in 0..<Self.av1C.count {
            #expect(throws: (any Error).self) { try AV1SequenceHeader(configurationRecord: Array(Self.av1C.prefix(length))) }
        }
        // An OBU size past the record, and a record without a sequence header.
        #expect(throws: AV1SequenceHeader.ParseError.truncated) { try AV1SequenceHeader(configurationRecord: [0x81, 0, 0x0C, 0, 0x0A, 0x7F, 0]) }
        #expect(throws: AV1SequenceHeader.ParseError.noSequenceHeader) { try AV1SequenceHeader(configurationRecord: [0x81, 0, 0x0C, 0, 0x12, 0]) }
    }

    @Test func opusHeadAndDOpsRoundTrip() throws {
        let fromBox = try OpusHead(opusSpecificBox: Self.dOps)
        #expect(fromBox.channelCount == 1 && fromBox.preSkip == 312 && fromBox.inputSampleRate == 48000)
        #expect(fromBox.opusSpecificBox == Self.dOps)
        // The RFC 7845 header E-RTMP carries converts to the same dOps and back.
        let head = try OpusHead(bytes: fromBox.bytes)
        #expect(head == fromBox)
        #expect(Array(fromBox.bytes.prefix(8)) == Array("OpusHead".utf8))
        let surround = OpusHead(channelCount: 6, preSkip: 312, inputSampleRate: 48000, mappingFamily: 1, mappingTable: [4, 2, 0, 4, 1, 2, 3, 5])
        #expect(try OpusHead(bytes: surround.bytes) == surround)
        #expect(try OpusHead(opusSpecificBox: surround.opusSpecificBox) == surround)
        #expect(throws: OpusHead.ParseError.notOpusHead) { try OpusHead(bytes: Array("OpusTags".utf8) + [0, 0, 0]) }
        #expect(throws: OpusHead.ParseError.truncated) { try OpusHead(bytes: Array("OpusHead".utf8) + [1, 2]) }
    }
}
