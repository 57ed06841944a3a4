import FLV
import Testing

@Suite struct AVCDecoderConfigurationRecordTests {
    // A record as x264 writes it: High profile 4.0, one SPS, one PPS, 4-byte NAL lengths.
    static let sps: [UInt8] = [0x67, 0x64, 0x00, 0x28, 0xAC, 0xD9, 0x40, 0x78]
    static let pps: [UInt8] = [0x68, 0xEB, 0xE3, 0xCB]
    static let bytes: [UInt8] = [0x01, 0x64, 0x00, 0x28, 0xFF, 0xE1, 0x00, 0x08] + sps + [0x01, 0x00, 0x04] + pps

    @Test func parsesAndRebuildsTheSameBytes() throws {
        let record = try AVCDecoderConfigurationRecord(bytes: Self.bytes)
        #expect(record.profile == 100)
        #expect(record.level == 40)
        #expect(record.nalUnitLengthSize == 4)
        #expect(record.sequenceParameterSets == [Self.sps])
        #expect(record.pictureParameterSets == [Self.pps])
        #expect(record.bytes == Self.bytes)
    }

    @Test func parameterSetsInBandAreLengthPrefixed() throws {
        var record = try AVCDecoderConfigurationRecord(bytes: Self.bytes)
        #expect(record.parameterSetsInBand == [0, 0, 0, 8] + Self.sps + [0, 0, 0, 4] + Self.pps)
        record.nalUnitLengthSize = 2
        #expect(record.parameterSetsInBand == [0, 8] + Self.sps + [0, 4] + Self.pps)
    }

    @Test func malformedRecordsAreRejected() {
        #expect(throws: AVCDecoderConfigurationRecord.ParseError.truncated) {
            try AVCDecoderConfigurationRecord(bytes: Array(Self.bytes.prefix(10)))
        }
        #expect(throws: AVCDecoderConfigurationRecord.ParseError.unsupportedVersion(2)) {
            try AVCDecoderConfigurationRecord(bytes: [2] + Self.bytes.dropFirst())
        }
        #expect(throws: AVCDecoderConfigurationRecord.ParseError.truncated) { try AVCDecoderConfigurationRecord(bytes: []) }
    }
}
