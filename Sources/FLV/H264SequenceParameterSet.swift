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
        // Every ue(v)/se(v) below is bounded by the ranges of 7.4.2.1.1 before it is used, so a
        // malformed SPS is an error ("unknown resolution"), never an overflow.
        let spsID = reader.unsignedGolomb()
        guard spsID <= 31 else { throw ParseError.invalidValue("seq_parameter_set_id \(spsID)") }
        var chromaFormat: UInt32 = 1
        var separateColourPlanes = false
        if [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].contains(profile) {
            chromaFormat = reader.unsignedGolomb()
            guard chromaFormat <= 3 else { throw ParseError.invalidValue("chroma_format_idc \(chromaFormat)") }
            if chromaFormat == 3 { separateColourPlanes = reader.bit() == 1 }
            let lumaDepth = reader.unsignedGolomb()  // bit_depth_luma_minus8
            let chromaDepth = reader.unsignedGolomb()  // bit_depth_chroma_minus8
            guard lumaDepth <= 6, chromaDepth <= 6 else { throw ParseError.invalidValue("bit depth \(lumaDepth)/\(chromaDepth)") }
            _ = reader.bit()  // qpprime_y_zero_transform_bypass_flag
            if reader.bit() == 1 {  // seq_scaling_matrix_present_flag
                for list in 0..<(chromaFormat == 3 ? 12 : 8) where reader.bit() == 1 {
                    try Self.skipScalingList(&reader, size: list < 6 ? 16 : 64)
                }
            }
        }
        let log2MaxFrameNum = reader.unsignedGolomb()  // log2_max_frame_num_minus4
        guard log2MaxFrameNum <= 12 else { throw ParseError.invalidValue("log2_max_frame_num_minus4 \(log2MaxFrameNum)") }
        let pocType = reader.unsignedGolomb()
        guard pocType <= 2 else { throw ParseError.invalidValue("pic_order_cnt_type \(pocType)") }
        if pocType == 0 {
            let log2MaxPOC = reader.unsignedGolomb()  // log2_max_pic_order_cnt_lsb_minus4
            guard log2MaxPOC <= 12 else { throw ParseError.invalidValue("log2_max_pic_order_cnt_lsb_minus4 \(log2MaxPOC)") }
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
        // Bounded well past 16384 pixels (the final size check) so the products below stay small.
        let widthInMacroblocks = Int(reader.unsignedGolomb()) + 1
        let heightInMapUnits = Int(reader.unsignedGolomb()) + 1
        guard widthInMacroblocks <= 4096, heightInMapUnits <= 4096 else {
            throw ParseError.invalidValue("picture size in macroblocks \(widthInMacroblocks)x\(heightInMapUnits)")
        }
        let frameMacroblocksOnly = reader.bit() == 1
        if !frameMacroblocksOnly { _ = reader.bit() }  // mb_adaptive_frame_field_flag
        _ = reader.bit()  // direct_8x8_inference_flag
        var crop = (left: 0, right: 0, top: 0, bottom: 0)
        if reader.bit() == 1 {
            crop = (Int(reader.unsignedGolomb()), Int(reader.unsignedGolomb()), Int(reader.unsignedGolomb()), Int(reader.unsignedGolomb()))
            // Each offset is at most 2^32 − 2 (a 64-bit Int holds any sum and product below).
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

    /// scaling_list() (7.3.2.1.1.1): delta_scale is −128...127; anything else is malformed.
    private static func skipScalingList(_ reader: inout BitReader, size: Int) throws {
        var last = 8
        var next = 8
        for _ in 0..<size where next != 0 {
            let delta = reader.signedGolomb()
            guard (-128...127).contains(delta), !reader.overran else { throw ParseError.invalidValue("delta_scale \(delta)") }
            next = (last + delta + 256) % 256
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
