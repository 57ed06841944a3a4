/// The start of an MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3, 1.6.2.1): the audio object type
/// (2 is AAC LC), the sampling frequency and the channel configuration.
public struct AudioSpecificConfig: Hashable, Sendable {
    public var objectType: Int
    public var sampleRate: Int
    /// channelConfiguration: 1–6 channels as numbered, 7 is 8 channels; 0 means defined in-band.
    public var channelConfiguration: Int

    /// Number of channels implied by `channelConfiguration` (nil when defined in-band).
    public var channelCount: Int? {
        switch channelConfiguration {
        case 1...6: return channelConfiguration
        case 7: return 8
        default: return nil
        }
    }

    static let sampleRates = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350]

    /// Why a config could not be parsed.
    public enum ParseError: Error, Equatable, Sendable {
        case truncated
        case reservedSampleRateIndex(Int)
    }

    public init(objectType: Int, sampleRate: Int, channelConfiguration: Int) {
        self.objectType = objectType
        self.sampleRate = sampleRate
        self.channelConfiguration = channelConfiguration
    }

    public init(bytes: [UInt8]) throws {
        var reader = BitReader(bytes)
        var objectType = Int(reader.bits(5))
        if objectType == 31 { objectType = 32 + Int(reader.bits(6)) }
        let index = Int(reader.bits(4))
        let rate: Int
        if index == 15 {
            rate = Int(reader.bits(24))
        } else {
            guard index < Self.sampleRates.count else { throw ParseError.reservedSampleRateIndex(index) }
            rate = Self.sampleRates[index]
        }
        let channels = Int(reader.bits(4))
        guard !reader.overran else { throw ParseError.truncated }
        self.init(objectType: objectType, sampleRate: rate, channelConfiguration: channels)
    }

    /// The two-byte form (object types below 31, a tabled sample rate), e.g. `12 10` for AAC LC 44.1 kHz stereo.
    public var bytes: [UInt8] {
        let index = Self.sampleRates.firstIndex(of: sampleRate) ?? 15
        guard objectType < 31, index != 15 else {
            // Explicit frequency: 5 + 4 + 24 + 4 bits, padded.
            var value = UInt64(objectType & 0x1F) << 32 | UInt64(15) << 28 | UInt64(sampleRate & 0xFF_FFFF) << 4
            value |= UInt64(channelConfiguration & 0xF)
            value <<= 3
            return (0..<5).map { UInt8(truncatingIfNeeded: value >> (32 - 8 * $0)) }
        }
        let value = UInt16(objectType) << 11 | UInt16(index) << 7 | UInt16(channelConfiguration & 0xF) << 3
        return [UInt8(value >> 8), UInt8(value & 0xFF)]
    }
}
