import FLV
import Testing

/// Malformed SPS, AVC configuration and AAC config inputs that once trapped the parser (and with
/// it the relay, from one publisher's sequence header): each is now an error, never a crash.
@Suite struct HostileSequenceParameterSetTests {
    static func hex(_ text: String) -> [UInt8] { CodecConfigurationTests.hex(text) }

    @Test func scalingListDeltaOfTwoToThe31IsAnError() {
        // High profile, seq_scaling_matrix_present, list 0 with delta_scale = 2^31 − 1 (ue code
        // 2^32 − 3): `last + delta + 256` overflowed Int32 and trapped.
        #expect(throws: H264SequenceParameterSet.ParseError.invalidValue("delta_scale 2147483647")) {
            try H264SequenceParameterSet(nalUnit: Self.hex("67640028ad80000000fffffffeffffffffff"))
        }
    }

    @Test func scalingListWithinRangeStillParses() throws {
        // High profile, list 0 with delta_scale −8 (ends the list), 1280x720.
        let sps = try H264SequenceParameterSet(nalUnit: Self.hex("67640028ad84407402802dc8"))
        #expect(sps.profile == 100)
        #expect(sps.width == 1280)
        #expect(sps.height == 720)
    }

    @Test func exponentialGolombWithThirtyTwoLeadingZerosIsAnError() {
        // Baseline, then seq_parameter_set_id with 32 leading zero bits (and then ones).
        #expect(throws: H264SequenceParameterSet.ParseError.self) {
            try H264SequenceParameterSet(nalUnit: [0x67, 66, 0, 30, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        }
        // Every prefix and every byte value at every position of a real SPS: errors or values, no trap.
        let real = Self.hex("6742c028da01e0089f970110000003001000000303c0f1832a")
        for length in 1...real.count { _ = try? H264SequenceParameterSet(nalUnit: Array(real.prefix(length))) }
        for index in 1..<real.count {
            for value in [0x00, 0x01, 0x7F, 0x80, 0xFF] as [UInt8] {
                var bytes = real
                bytes[index] = value
                _ = try? H264SequenceParameterSet(nalUnit: bytes)
            }
        }
    }

    @Test func hugePictureSizeAndCropAreErrors() {
        // pic_width_in_mbs_minus1 = 2^32 − 2 (ue with 31 leading zeros).
        #expect(throws: H264SequenceParameterSet.ParseError.self) {
            try H264SequenceParameterSet(nalUnit: [0x67, 66, 0, 30, 0b1_1_011_1_0_0, 0, 0, 0, 2, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF])
        }
    }

    @Test func configurationRecordsWithLyingCountsAreErrors() {
        // 31 SPS declared, one of 0xFFFF bytes declared, 2 present.
        #expect(throws: AVCDecoderConfigurationRecord.ParseError.truncated) {
            try AVCDecoderConfigurationRecord(bytes: [1, 100, 0, 40, 0xFF, 0xFF, 0xFF, 0xFF, 0x67, 0x64])
        }
        #expect(throws: AVCDecoderConfigurationRecord.ParseError.truncated) {
            try AVCDecoderConfigurationRecord(bytes: [1, 100, 0, 40, 0xFF, 0xE0, 0xFF])
        }
        for length in 0...12 { _ = try? AudioSpecificConfig(bytes: [UInt8](repeating: 0xFF, count: length)) }
        #expect(throws: AudioSpecificConfig.ParseError.self) { try AudioSpecificConfig(bytes: [0xFF, 0xFF]) }
    }
}
