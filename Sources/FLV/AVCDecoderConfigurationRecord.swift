import NIOCore

// AVCDecoderConfigurationRecord (ISO/IEC 14496-15, 5.3.3.1), the body of an FLV AVC sequence
// header and of the MP4 `avcC` box:
//
//   configurationVersion(8)=1 AVCProfileIndication(8) profile_compatibility(8) AVCLevelIndication(8)
//   reserved(6)=111111 lengthSizeMinusOne(2)
//   reserved(3)=111 numOfSequenceParameterSets(5) { length(16) SPS NAL unit }*
//   numOfPictureParameterSets(8) { length(16) PPS NAL unit }*
//   [high profiles: chroma_format, bit depths, SPS extensions — kept verbatim in `trailing`]

/// The H.264 decoder configuration: profile, level, NAL length size and parameter sets.
public struct AVCDecoderConfigurationRecord: Hashable, Sendable {
    public var profile: UInt8
    public var profileCompatibility: UInt8
    public var level: UInt8
    /// Bytes of the length prefix before each NAL unit in a sample (1, 2 or 4).
    public var nalUnitLengthSize: Int
    public var sequenceParameterSets: [[UInt8]]
    public var pictureParameterSets: [[UInt8]]
    /// Bytes after the PPS list (high-profile extension), kept so that `bytes` round-trips.
    public var trailing: [UInt8]

    public init(profile: UInt8, profileCompatibility: UInt8, level: UInt8, nalUnitLengthSize: Int = 4,
                sequenceParameterSets: [[UInt8]], pictureParameterSets: [[UInt8]], trailing: [UInt8] = []) {
        self.profile = profile
        self.profileCompatibility = profileCompatibility
        self.level = level
        self.nalUnitLengthSize = nalUnitLengthSize
        self.sequenceParameterSets = sequenceParameterSets
        self.pictureParameterSets = pictureParameterSets
        self.trailing = trailing
    }

    /// Why a record could not be parsed.
    public enum ParseError: Error, Equatable, Sendable {
        case truncated
        case unsupportedVersion(UInt8)
        case invalidLengthSize
    }

    /// Parses a record from `bytes`.
    public init(bytes: [UInt8]) throws {
        var buffer = ByteBuffer(bytes: bytes)
        guard let version = buffer.readInteger(as: UInt8.self),
              let profile = buffer.readInteger(as: UInt8.self),
              let compatibility = buffer.readInteger(as: UInt8.self),
              let level = buffer.readInteger(as: UInt8.self),
              let lengthByte = buffer.readInteger(as: UInt8.self),
              let spsCount = buffer.readInteger(as: UInt8.self) else { throw ParseError.truncated }
        guard version == 1 else { throw ParseError.unsupportedVersion(version) }
        let lengthSize = Int(lengthByte & 0x03) + 1
        guard lengthSize != 3 else { throw ParseError.invalidLengthSize }
        func readSets(_ count: Int) throws -> [[UInt8]] {
            try (0..<count).map { _ in
                guard let length = buffer.readInteger(as: UInt16.self), let set = buffer.readBytes(length: Int(length)) else {
                    throw ParseError.truncated
                }
                return set
            }
        }
        let sps = try readSets(Int(spsCount & 0x1F))
        guard let ppsCount = buffer.readInteger(as: UInt8.self) else { throw ParseError.truncated }
        let pps = try readSets(Int(ppsCount))
        self.init(profile: profile, profileCompatibility: compatibility, level: level, nalUnitLengthSize: lengthSize,
                  sequenceParameterSets: sps, pictureParameterSets: pps, trailing: buffer.readBytes(length: buffer.readableBytes) ?? [])
    }

    /// The serialized record.
    public var bytes: [UInt8] {
        var out: [UInt8] = [1, profile, profileCompatibility, level, 0xFC | UInt8((nalUnitLengthSize - 1) & 0x03),
                            0xE0 | UInt8(sequenceParameterSets.count & 0x1F)]
        for set in sequenceParameterSets { out += [UInt8(set.count >> 8 & 0xFF), UInt8(set.count & 0xFF)] + set }
        out.append(UInt8(pictureParameterSets.count & 0xFF))
        for set in pictureParameterSets { out += [UInt8(set.count >> 8 & 0xFF), UInt8(set.count & 0xFF)] + set }
        return out + trailing
    }

    /// The SPS and PPS NAL units, each preceded by a `nalUnitLengthSize`-byte length: the form
    /// they take in band, at the start of a sample.
    public var parameterSetsInBand: [UInt8] {
        var out: [UInt8] = []
        for set in sequenceParameterSets + pictureParameterSets {
            for shift in stride(from: (nalUnitLengthSize - 1) * 8, through: 0, by: -8) {
                out.append(UInt8(truncatingIfNeeded: set.count >> shift))
            }
            out += set
        }
        return out
    }
}
