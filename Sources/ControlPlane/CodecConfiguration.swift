import ISOBMFF

/// Sample descriptions from FLV sequence headers: an AVCDecoderConfigurationRecord (picture size
/// from its first SPS, ITU-T H.264 7.3.2.1.1) or an AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1).
enum CodecConfiguration {
    static func avc(_ record: [UInt8]) -> SampleDescription? {
        // configurationVersion, profile, compat, level, lengthSize, numSPS, spsLength(16), sps...
        guard record.count >= 8, record[0] == 1 else { return nil }
        let length = Int(record[6]) << 8 | Int(record[7])
        guard record.count >= 8 + length, length > 1 else { return nil }
        let size = pictureSize(sps: Array(record[9..<(8 + length)]))
        return .avc(AVCSampleEntry(width: size?.width ?? 0, height: size?.height ?? 0, decoderConfiguration: record))
    }

    static func aac(_ config: [UInt8]) -> SampleDescription? {
        guard config.count >= 2 else { return nil }
        var bits = BitReader(config)
        _ = bits.read(5)
        let rates: [UInt32] = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350]
        let frequencyIndex = Int(bits.read(4))
        let rate = frequencyIndex == 15 ? UInt32(bits.read(24)) : (frequencyIndex < rates.count ? rates[frequencyIndex] : 44100)
        let channels = UInt16(bits.read(4))
        return .aac(AACSampleEntry(sampleRate: rate, channelCount: channels == 0 ? 2 : channels, audioSpecificConfig: config))
    }

    /// Width and height from an SPS NAL unit body (after the NAL header byte).
    static func pictureSize(sps raw: [UInt8]) -> (width: UInt16, height: UInt16)? {
        // Remove emulation prevention bytes (00 00 03).
        var rbsp: [UInt8] = []
        var zeros = 0
        for byte in raw {
            if zeros >= 2 && byte == 3 { zeros = 0; continue }
            zeros = byte == 0 ? zeros + 1 : 0
            rbsp.append(byte)
        }
        var bits = BitReader(rbsp)
        let profile = bits.read(8)
        _ = bits.read(16)
        _ = bits.golomb()
        var chromaFormat: UInt64 = 1
        if [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].contains(profile) {
            chromaFormat = bits.golomb()
            if chromaFormat == 3 { _ = bits.read(1) }
            _ = bits.golomb()
            _ = bits.golomb()
            _ = bits.read(1)
            if bits.read(1) == 1 {
                for list in 0..<(chromaFormat == 3 ? 12 : 8) {
                    guard bits.read(1) == 1 else { continue }
                    var last: Int64 = 8, next: Int64 = 8
                    for _ in 0..<(list < 6 ? 16 : 64) where next != 0 {
                        next = (last + bits.signedGolomb() + 256) % 256
                        last = next == 0 ? last : next
                    }
                }
            }
        }
        _ = bits.golomb()
        let pocType = bits.golomb()
        if pocType == 0 {
            _ = bits.golomb()
        } else if pocType == 1 {
            _ = bits.read(1)
            _ = bits.signedGolomb()
            _ = bits.signedGolomb()
            let cycle = bits.golomb()
            guard cycle < 256 else { return nil }
            for _ in 0..<cycle { _ = bits.signedGolomb() }
        }
        _ = bits.golomb()
        _ = bits.read(1)
        let widthInMbs = bits.golomb() + 1
        let heightInMapUnits = bits.golomb() + 1
        let frameMbsOnly = bits.read(1)
        if frameMbsOnly == 0 { _ = bits.read(1) }
        _ = bits.read(1)
        var crop = (left: UInt64(0), right: UInt64(0), top: UInt64(0), bottom: UInt64(0))
        if bits.read(1) == 1 { crop = (bits.golomb(), bits.golomb(), bits.golomb(), bits.golomb()) }
        guard !bits.overran else { return nil }
        let cropX: UInt64 = chromaFormat == 0 || chromaFormat == 3 ? 1 : 2
        let cropY: UInt64 = (chromaFormat == 1 ? 2 : 1) * (2 - frameMbsOnly)
        let width = Int64(widthInMbs * 16) - Int64((crop.left + crop.right) * cropX)
        let height = Int64((2 - frameMbsOnly) * heightInMapUnits * 16) - Int64((crop.top + crop.bottom) * cropY)
        guard width > 0, height > 0, width <= 16384, height <= 16384 else { return nil }
        return (UInt16(width), UInt16(height))
    }
}

/// Big-endian bit reader with Exp-Golomb codes; reading past the end yields zeros and sets `overran`.
struct BitReader {
    private let bytes: [UInt8]
    private var position = 0
    private(set) var overran = false

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func read(_ count: Int) -> UInt64 {
        var value: UInt64 = 0
        for _ in 0..<count {
            let index = position >> 3
            guard index < bytes.count else { overran = true; position += 1; value <<= 1; continue }
            value = value << 1 | UInt64(bytes[index] >> (7 - UInt8(position & 7)) & 1)
            position += 1
        }
        return value
    }

    mutating func golomb() -> UInt64 {
        var zeros = 0
        while read(1) == 0 {
            zeros += 1
            if zeros > 31 || overran { overran = true; return 0 }
        }
        return (1 << UInt64(zeros)) - 1 + read(zeros)
    }

    mutating func signedGolomb() -> Int64 {
        let code = golomb()
        return code & 1 == 1 ? Int64((code + 1) / 2) : -Int64(code / 2)
    }
}
