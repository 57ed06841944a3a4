// The Opus identification header (RFC 7845, 5.1), the body of an E-RTMP `Opus` SequenceStart:
//
//   "OpusHead"(8) version(8)=1 channelCount(8) preSkip(16 LE) inputSampleRate(32 LE)
//   outputGain(16 LE) channelMappingFamily(8) [streamCount(8) coupledCount(8) channelMapping(8 × channels)]

/// The Opus header fields a muxer needs; `dOps` (the MP4 `Opus` sample entry's box) carries the
/// same fields big-endian, version 0, without the magic.
public struct OpusHead: Hashable, Sendable {
    public var channelCount: UInt8
    public var preSkip: UInt16
    public var inputSampleRate: UInt32
    public var outputGain: Int16
    public var mappingFamily: UInt8
    /// streamCount, coupledCount, channel mapping: present when mappingFamily ≠ 0.
    public var mappingTable: [UInt8]

    public enum ParseError: Error, Equatable, Sendable { case notOpusHead, truncated }

    public init(channelCount: UInt8, preSkip: UInt16, inputSampleRate: UInt32, outputGain: Int16 = 0,
                mappingFamily: UInt8 = 0, mappingTable: [UInt8] = []) {
        self.channelCount = channelCount
        self.preSkip = preSkip
        self.inputSampleRate = inputSampleRate
        self.outputGain = outputGain
        self.mappingFamily = mappingFamily
        self.mappingTable = mappingTable
    }

    public init(bytes: [UInt8]) throws {
        guard bytes.count >= 8, bytes.prefix(8).elementsEqual("OpusHead".utf8) else { throw ParseError.notOpusHead }
        guard bytes.count >= 19 else { throw ParseError.truncated }
        func le16(_ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
        channelCount = bytes[9]
        preSkip = le16(10)
        inputSampleRate = UInt32(le16(12)) | UInt32(le16(14)) << 16
        outputGain = Int16(bitPattern: le16(16))
        mappingFamily = bytes[18]
        if mappingFamily != 0 {
            let length = 2 + Int(channelCount)
            guard bytes.count >= 19 + length else { throw ParseError.truncated }
            mappingTable = Array(bytes[19..<19 + length])
        } else {
            mappingTable = []
        }
    }

    /// The `dOps` box body (Opus in ISOBMFF, 4.3.2): version 0, big-endian fields.
    public var opusSpecificBox: [UInt8] {
        var out: [UInt8] = [0, channelCount, UInt8(preSkip >> 8), UInt8(preSkip & 0xFF)]
        out += [UInt8(inputSampleRate >> 24), UInt8(inputSampleRate >> 16 & 0xFF), UInt8(inputSampleRate >> 8 & 0xFF), UInt8(inputSampleRate & 0xFF)]
        let gain = UInt16(bitPattern: outputGain)
        out += [UInt8(gain >> 8), UInt8(gain & 0xFF), mappingFamily]
        return out + mappingTable
    }

    /// Parses a `dOps` body back (for MP4 sources).
    public init(opusSpecificBox box: [UInt8]) throws {
        guard box.count >= 11 else { throw ParseError.truncated }
        channelCount = box[1]
        preSkip = UInt16(box[2]) << 8 | UInt16(box[3])
        inputSampleRate = UInt32(box[4]) << 24 | UInt32(box[5]) << 16 | UInt32(box[6]) << 8 | UInt32(box[7])
        outputGain = Int16(bitPattern: UInt16(box[8]) << 8 | UInt16(box[9]))
        mappingFamily = box[10]
        mappingTable = mappingFamily != 0 ? Array(box.dropFirst(11).prefix(2 + Int(channelCount))) : []
    }

    /// The RFC 7845 header again (what an E-RTMP Opus SequenceStart carries).
    public var bytes: [UInt8] {
        var out = Array("OpusHead".utf8) + [1, channelCount, UInt8(preSkip & 0xFF), UInt8(preSkip >> 8)]
        out += [UInt8(inputSampleRate & 0xFF), UInt8(inputSampleRate >> 8 & 0xFF), UInt8(inputSampleRate >> 16 & 0xFF), UInt8(inputSampleRate >> 24)]
        let gain = UInt16(bitPattern: outputGain)
        out += [UInt8(gain & 0xFF), UInt8(gain >> 8), mappingFamily]
        return out + mappingTable
    }
}
