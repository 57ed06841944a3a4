/// The fields of an H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1) that a muxer or a
/// listing needs: profile, level, picture size after cropping, and frame rate from VUI timing.
public struct H264SequenceParameterSet: Hashable, Sendable {
    public var profile: UInt8
    public var constraintFlags: UInt8
    public var level: UInt8
    public var width: Int
    public var height: Int
    /// Frames per second from the VUI timing info (time_scale / (2 × num_units_in_tick)), if present.
    public var frameRate: Double?

    /// Why an SPS could not be parsed.
    public enum ParseError: Error, Equatable, Sendable {
        case notASequenceParameterSet
        case truncated
        case invalidValue(String)
    }

    /// Parses an SPS NAL unit (starting with its NAL header byte, type 7), with emulation
    /// prevention bytes still in place.
    public init(nalUnit: [UInt8]) throws {
        guard let header = nalUnit.first, header & 0x1F == 7 else { throw ParseError.notASequenceParameterSet }
        var reader = BitReader(Self.removingEmulationPrevention(nalUnit.dropFirst()))
        profile = UInt8(reader.bits(8))
        constraintFlags = UInt8(reader.bits(8))
        level = UInt8(reader.bits(8))
        _ = reader.unsignedGolomb()  // seq_parameter_set_id
        var chromaFormat: UInt32 = 1
        var separateColourPlanes = false
        if [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].contains(profile) {
            chromaFormat = reader.unsignedGolomb()
            guard chromaFormat <= 3 else { throw ParseError.invalidValue("chroma_format_idc \(chromaFormat)") }
            if chromaFormat == 3 { separateColourPlanes = reader.bit() == 1 }
            _ = reader.unsignedGolomb()  // bit_depth_luma_minus8
            _ = reader.unsignedGolomb()  // bit_depth_chroma_minus8
            _ = reader.bit()  // qpprime_y_zero_transform_bypass_flag
            if reader.bit() == 1 {  // seq_scaling_matrix_present_flag
                for list in 0..<(chromaFormat == 3 ? 12 : 8) where reader.bit() == 1 {
                    Self.skipScalingList(&reader, size: list < 6 ? 16 : 64)
                }
            }
        }
        _ = reader.unsignedGolomb()  // log2_max_frame_num_minus4
        let pocType = reader.unsignedGolomb()
        if pocType == 0 {
            _ = reader.unsignedGolomb()  // log2_max_pic_order_cnt_lsb_minus4
        } else if pocType == 1 {
            _ = reader.bit()
            _ = reader.signedGolomb()
            _ = reader.signedGolomb()
            let cycle = reader.unsignedGolomb()
            guard cycle <= 255 else { throw ParseError.invalidValue("num_ref_frames_in_pic_order_cnt_cycle \(cycle)") }
            for _ in 0..<cycle { _ = reader.signedGolomb() }
        }
        _ = reader.unsignedGolomb()  // max_num_ref_frames
        _ = reader.bit()  // gaps_in_frame_num_value_allowed_flag
        let widthInMacroblocks = Int(reader.unsignedGolomb()) + 1
        let heightInMapUnits = Int(reader.unsignedGolomb()) + 1
        let frameMacroblocksOnly = reader.bit() == 1
        if !frameMacroblocksOnly { _ = reader.bit() }  // mb_adaptive_frame_field_flag
        _ = reader.bit()  // direct_8x8_inference_flag
        var crop = (left: 0, right: 0, top: 0, bottom: 0)
        if reader.bit() == 1 {
            crop = (Int(reader.unsignedGolomb()), Int(reader.unsignedGolomb()), Int(reader.unsignedGolomb()), Int(reader.unsignedGolomb()))
        }
        // Crop units (7.4.2.1.1): SubWidthC/SubHeightC by chroma format, doubled for field coding.
        let arrayType = separateColourPlanes ? 0 : chromaFormat
        let cropUnitX = arrayType == 0 ? 1 : (chromaFormat == 3 ? 1 : 2)
        let cropUnitY = (arrayType == 0 ? 1 : (chromaFormat == 1 ? 2 : 1)) * (frameMacroblocksOnly ? 1 : 2)
        width = widthInMacroblocks * 16 - cropUnitX * (crop.left + crop.right)
        height = (frameMacroblocksOnly ? 1 : 2) * heightInMapUnits * 16 - cropUnitY * (crop.top + crop.bottom)
        frameRate = nil
        if reader.bit() == 1 { frameRate = Self.vuiFrameRate(&reader) }
        guard !reader.overran else { throw ParseError.truncated }
        guard width > 0, height > 0, width <= 16384, height <= 16384 else { throw ParseError.invalidValue("picture size \(width)x\(height)") }
    }

    private static func skipScalingList(_ reader: inout BitReader, size: Int) {
        var last: Int32 = 8
        var next: Int32 = 8
        for _ in 0..<size where next != 0 {
            // delta_scale is -128...127 in a valid stream; a hostile one may send ±2^31 (Int64, & 0xFF:
            // the same modulo for valid values, no overflow trap for the rest).
            next = Int32((Int64(last) + Int64(reader.signedGolomb()) + 256) & 0xFF)
            last = next == 0 ? last : next
        }
    }

    /// Reads VUI parameters (Annex E.1.1) up to the timing info.
    private static func vuiFrameRate(_ reader: inout BitReader) -> Double? {
        if reader.bit() == 1 {  // aspect_ratio_info_present_flag
            if reader.bits(8) == 255 { _ = reader.bits(32) }  // Extended_SAR: sar_width, sar_height
        }
        if reader.bit() == 1 { _ = reader.bit() }  // overscan
        if reader.bit() == 1 {  // video_signal_type_present_flag
            _ = reader.bits(4)
            if reader.bit() == 1 { _ = reader.bits(24) }  // colour description
        }
        if reader.bit() == 1 {  // chroma_loc_info_present_flag
            _ = reader.unsignedGolomb()
            _ = reader.unsignedGolomb()
        }
        guard reader.bit() == 1 else { return nil }  // timing_info_present_flag
        let unitsInTick = reader.bits(32)
        let timeScale = reader.bits(32)
        guard unitsInTick > 0, timeScale > 0, !reader.overran else { return nil }
        return Double(timeScale) / (2 * Double(unitsInTick))
    }

    /// Removes the 0x03 byte of every 0x000003 sequence (7.4.1).
    static func removingEmulationPrevention(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var zeros = 0
        for byte in bytes {
            if zeros >= 2 && byte == 3 {
                zeros = 0
                continue
            }
            zeros = byte == 0 ? zeros + 1 : 0
            out.append(byte)
        }
        return out
    }
}
