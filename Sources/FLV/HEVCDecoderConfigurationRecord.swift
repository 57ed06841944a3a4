import NIOCore

// HEVCDecoderConfigurationRecord (ISO/IEC 14496-15, 8.3.3.1), the body of an E-RTMP `hvc1`
// SequenceStart and of the MP4 `hvcC` box:
//
//   configurationVersion(8)=1 profile_space(2) tier(1) profile_idc(5) compatibility_flags(32)
//   constraint_indicator_flags(48) level_idc(8) reserved(4) min_spatial_segmentation(12)
//   reserved(6) parallelismType(2) reserved(6) chromaFormat(2) reserved(5) bitDepthLumaMinus8(3)
//   reserved(5) bitDepthChromaMinus8(3) avgFrameRate(16) constantFrameRate(2) numTemporalLayers(3)
//   temporalIdNested(1) lengthSizeMinusOne(2) numOfArrays(8)
//   { completeness(1) reserved(1) NAL_unit_type(6) numNalus(16) { length(16) NAL unit }* }*

/// The H.265 decoder configuration: profile, level, NAL length size and parameter-set arrays.
public struct HEVCDecoderConfigurationRecord: Hashable, Sendable {
    public var profile: UInt8
    public var level: UInt8
    public var nalUnitLengthSize: Int
    /// NAL units by type (32 VPS, 33 SPS, 34 PPS, 39/40 SEI), in record order.
    public var nalUnits: [(type: UInt8, bytes: [UInt8])] { arrays }
    private var arrays: [(type: UInt8, bytes: [UInt8])]

    /// Why a record could not be parsed.
    public enum ParseError: Error, Equatable, Sendable { case truncated, unsupportedVersion(UInt8) }

    public init(bytes: [UInt8]) throws {
        var buffer = ByteBuffer(bytes: bytes)
        guard let version = buffer.readInteger(as: UInt8.self) else { throw ParseError.truncated }
        guard version == 1 else { throw ParseError.unsupportedVersion(version) }
        guard let profileByte = buffer.readInteger(as: UInt8.self), buffer.readBytes(length: 10) != nil,
              let level = buffer.readInteger(as: UInt8.self), buffer.readBytes(length: 8) != nil,
              let lengthByte = buffer.readInteger(as: UInt8.self), let arrayCount = buffer.readInteger(as: UInt8.self) else {
            throw ParseError.truncated
        }
        profile = profileByte & 0x1F
        self.level = level
        nalUnitLengthSize = Int(lengthByte & 0x03) + 1
        arrays = []
        for _ in 0..<arrayCount {
            guard let typeByte = buffer.readInteger(as: UInt8.self), let count = buffer.readInteger(as: UInt16.self) else { throw ParseError.truncated }
            for _ in 0..<count {
                guard let length = buffer.readInteger(as: UInt16.self), let unit = buffer.readBytes(length: Int(length)) else {
                    throw ParseError.truncated
                }
                arrays.append((typeByte & 0x3F, unit))
            }
        }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.profile == rhs.profile && lhs.level == rhs.level && lhs.nalUnitLengthSize == rhs.nalUnitLengthSize
            && lhs.arrays.elementsEqual(rhs.arrays) { $0.type == $1.type && $0.bytes == $1.bytes }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(profile)
        hasher.combine(level)
        for unit in arrays { hasher.combine(unit.type); hasher.combine(unit.bytes) }
    }

    /// The first SPS (NAL type 33), parsed.
    public var sequenceParameterSet: HEVCSequenceParameterSet? {
        arrays.first { $0.type == 33 }.flatMap { try? HEVCSequenceParameterSet(nalUnit: $0.bytes) }
    }
}

/// The picture size of an H.265 sequence parameter set (ITU-T H.265 7.3.2.2), after the
/// conformance window.
public struct HEVCSequenceParameterSet: Hashable, Sendable {
    public var width: Int
    public var height: Int

    /// Parses an SPS NAL unit (two-byte NAL header, type 33), emulation prevention still in place.
    public init(nalUnit: [UInt8]) throws {
        guard nalUnit.count > 2, nalUnit[0] >> 1 & 0x3F == 33 else { throw H264SequenceParameterSet.ParseError.notASequenceParameterSet }
        var reader = BitReader(H264SequenceParameterSet.removingEmulationPrevention(nalUnit.dropFirst(2)))
        _ = reader.bits(4)  // sps_video_parameter_set_id
        let maxSubLayersMinus1 = Int(reader.bits(3))
        _ = reader.bit()  // sps_temporal_id_nesting_flag
        // profile_tier_level(1, maxSubLayersMinus1): 88 bits of general profile, 8 of level.
        for _ in 0..<3 { _ = reader.bits(32) }
        var subLayers: [(profile: Bool, level: Bool)] = []
        for _ in 0..<maxSubLayersMinus1 { subLayers.append((reader.bit() == 1, reader.bit() == 1)) }
        if maxSubLayersMinus1 > 0 { for _ in maxSubLayersMinus1..<8 { _ = reader.bits(2) } }
        for layer in subLayers {
            if layer.profile { _ = reader.bits(32); _ = reader.bits(32); _ = reader.bits(24) }
            if layer.level { _ = reader.bits(8) }
        }
        _ = reader.unsignedGolomb()  // sps_seq_parameter_set_id
        let chroma = reader.unsignedGolomb()
        guard chroma <= 3 else { throw H264SequenceParameterSet.ParseError.invalidValue("chroma_format_idc \(chroma)") }
        var separatePlanes = false
        if chroma == 3 { separatePlanes = reader.bit() == 1 }
        var width = Int(reader.unsignedGolomb())
        var height = Int(reader.unsignedGolomb())
        if reader.bit() == 1 {  // conformance_window_flag
            let arrayType = separatePlanes ? 0 : chroma
            let subWidth = arrayType == 1 || arrayType == 2 ? 2 : 1
            let subHeight = arrayType == 1 ? 2 : 1
            let left = Int(reader.unsignedGolomb()), right = Int(reader.unsignedGolomb())
            let top = Int(reader.unsignedGolomb()), bottom = Int(reader.unsignedGolomb())
            width -= subWidth * (left + right)
            height -= subHeight * (top + bottom)
        }
        guard !reader.overran else { throw H264SequenceParameterSet.ParseError.truncated }
        guard width > 0, height > 0, width <= 16384, height <= 16384 else {
            throw H264SequenceParameterSet.ParseError.invalidValue("picture size \(width)x\(height)")
        }
        self.width = width
        self.height = height
    }
}
