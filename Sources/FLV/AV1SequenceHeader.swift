// The maximum picture size of an AV1 sequence header OBU (AV1 spec 5.5), found in the configOBUs
// of an AV1CodecConfigurationRecord (`av1C`, the body of an E-RTMP `av01` SequenceStart):
//
//   av1C: marker(1)=1 version(7)=1 seq_profile(3) seq_level_idx_0(5) tier(1) bitdepth(3) ... (4 bytes) configOBUs
//   OBU: forbidden(1) obu_type(4) extension_flag(1) has_size_field(1) reserved(1) [extension(8)] [leb128 size] payload
//   sequence_header_obu: seq_profile(3) still_picture(1) reduced_still_picture_header(1) ...
//                        frame_width_bits_minus_1(4) frame_height_bits_minus_1(4)
//                        max_frame_width_minus_1(n) max_frame_height_minus_1(n) ...

/// The picture size an AV1 stream declares in its sequence header.
public struct AV1SequenceHeader: Hashable, Sendable {
    public var width: Int
    public var height: Int

    public enum ParseError: Error, Equatable, Sendable { case noSequenceHeader, truncated, unsupported(String) }

    /// Parses the first sequence header OBU of an `av1C` record's configOBUs.
    public init(configurationRecord record: [UInt8]) throws {
        guard record.count > 4, record[0] & 0x80 != 0 else { throw ParseError.noSequenceHeader }
        var index = 4
        // Bounded: each OBU consumes at least its header byte.
        while index < record.count {
            let header = record[index]
            index += 1
            let type = header >> 3 & 0x0F
            if header & 0x04 != 0 { index += 1 }  // obu_extension_header
            var size = record.count - index
            if header & 0x02 != 0 {
                var value = 0
                var shift = 0
                while true {
                    guard index < record.count, shift < 56 else { throw ParseError.truncated }
                    let byte = record[index]
                    index += 1
                    value |= Int(byte & 0x7F) << shift
                    shift += 7
                    if byte & 0x80 == 0 { break }
                }
                size = value
            }
            guard size >= 0, index <= record.count, size <= record.count - index else { throw ParseError.truncated }
            if type == 1 {
                try self.init(sequenceHeaderOBU: Array(record[index..<index + size]))
                return
            }
            index += size
        }
        throw ParseError.noSequenceHeader
    }

    /// Parses a sequence_header_obu payload.
    public init(sequenceHeaderOBU payload: [UInt8]) throws {
        var reader = BitReader(payload)
        _ = reader.bits(3)  // seq_profile
        _ = reader.bit()  // still_picture
        if reader.bit() == 1 {  // reduced_still_picture_header
            _ = reader.bits(5)  // seq_level_idx[0]
        } else {
            var decoderModelInfoPresent = false
            var bufferDelayLength = 0
            if reader.bit() == 1 {  // timing_info_present_flag
                _ = reader.bits(32)  // num_units_in_display_tick
                _ = reader.bits(32)  // time_scale
                if reader.bit() == 1 {  // equal_picture_interval: uvlc num_ticks_per_picture_minus_1
                    var zeros = 0
                    while reader.bit() == 0 {
                        zeros += 1
                        guard zeros < 32, !reader.overran else { throw ParseError.truncated }
                    }
                    _ = reader.bits(zeros)
                }
                decoderModelInfoPresent = reader.bit() == 1
                if decoderModelInfoPresent {
                    bufferDelayLength = Int(reader.bits(5)) + 1
                    _ = reader.bits(32)  // num_units_in_decoding_tick
                    _ = reader.bits(5)  // buffer_removal_time_length_minus_1
                    _ = reader.bits(5)  // frame_presentation_time_length_minus_1
                }
            }
            let initialDisplayDelayPresent = reader.bit() == 1
            let operatingPoints = Int(reader.bits(5)) + 1
            for _ in 0..<operatingPoints {
                _ = reader.bits(12)  // operating_point_idc
                let level = reader.bits(5)
                if level > 7 { _ = reader.bit() }  // seq_tier
                if decoderModelInfoPresent, reader.bit() == 1 {
                    _ = reader.bits(bufferDelayLength)  // decoder_buffer_delay
                    _ = reader.bits(bufferDelayLength)  // encoder_buffer_delay
                    _ = reader.bit()  // low_delay_mode_flag
                }
                if initialDisplayDelayPresent, reader.bit() == 1 { _ = reader.bits(4) }
            }
        }
        let widthBits = Int(reader.bits(4)) + 1
        let heightBits = Int(reader.bits(4)) + 1
        let width = Int(reader.bits(widthBits)) + 1
        let height = Int(reader.bits(heightBits)) + 1
        guard !reader.overran else { throw ParseError.truncated }
        self.width = width
        self.height = height
    }
}
