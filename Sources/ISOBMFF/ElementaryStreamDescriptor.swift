import NIOCore

// The `esds` payload (ISO/IEC 14496-1, 7.2.6.5): an ES_Descriptor (tag 3) holding a
// DecoderConfigDescriptor (tag 4) whose DecoderSpecificInfo (tag 5) is the AudioSpecificConfig,
// and an SLConfigDescriptor (tag 6). Each descriptor is tag(8) + size in 1–4 bytes of 7 bits.

/// Builds and parses the `esds` descriptors of an AAC track.
public enum ElementaryStreamDescriptor {
    /// Writes the `esds` payload (after version/flags) for `config`.
    public static func write(audioSpecificConfig config: [UInt8], into buffer: inout ByteBuffer,
                             averageBitrate: UInt32 = 0) {
        let decoderSpecific = descriptor(tag: 5, body: config)
        var decoderConfig: [UInt8] = [0x40, 0x15, 0, 0, 0]  // MPEG-4 audio, audio stream, bufferSizeDB 0
        decoderConfig += bigEndian(averageBitrate) + bigEndian(averageBitrate) + decoderSpecific
        let slConfig = descriptor(tag: 6, body: [0x02])
        let esBody: [UInt8] = [0, 1, 0] + descriptor(tag: 4, body: decoderConfig) + slConfig
        buffer.writeBytes(descriptor(tag: 3, body: esBody))
    }

    /// Returns the AudioSpecificConfig found in an `esds` payload (after version/flags).
    public static func audioSpecificConfig(in payload: ByteBuffer) throws -> [UInt8] {
        var buffer = payload
        guard let (tag, es) = try readDescriptor(&buffer), tag == 3 else { throw ISOBMFFError.malformed("esds without ES_Descriptor") }
        var body = es
        guard let flags = body.getInteger(at: body.readerIndex + 2, as: UInt8.self) else { throw ISOBMFFError.truncated(context: "ES_Descriptor") }
        body.moveReaderIndex(forwardBy: 3)
        if flags & 0x80 != 0 { try skip(&body, 2) }
        if flags & 0x40 != 0 {
            guard let length = body.readInteger(as: UInt8.self) else { throw ISOBMFFError.truncated(context: "ES_Descriptor URL") }
            try skip(&body, Int(length))
        }
        if flags & 0x20 != 0 { try skip(&body, 2) }
        while let (childTag, child) = try readDescriptor(&body) {
            guard childTag == 4 else { continue }
            var config = child
            try skip(&config, 13)
            while let (infoTag, info) = try readDescriptor(&config) {
                if infoTag == 5 { return Array(info.readableBytesView) }
            }
            throw ISOBMFFError.malformed("DecoderConfigDescriptor without DecoderSpecificInfo")
        }
        throw ISOBMFFError.malformed("ES_Descriptor without DecoderConfigDescriptor")
    }

    private static func descriptor(tag: UInt8, body: [UInt8]) -> [UInt8] {
        // Always four length bytes, as many muxers write; decoders accept both forms.
        let n = UInt32(body.count)
        return [tag, UInt8(0x80 | (n >> 21) & 0x7F), UInt8(0x80 | (n >> 14) & 0x7F), UInt8(0x80 | (n >> 7) & 0x7F), UInt8(n & 0x7F)] + body
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    private static func skip(_ buffer: inout ByteBuffer, _ count: Int) throws {
        guard buffer.readableBytes >= count else { throw ISOBMFFError.truncated(context: "esds descriptor") }
        buffer.moveReaderIndex(forwardBy: count)
    }

    private static func readDescriptor(_ buffer: inout ByteBuffer) throws -> (UInt8, ByteBuffer)? {
        guard let tag = buffer.readInteger(as: UInt8.self) else { return nil }
        var length = 0
        for _ in 0..<4 {
            guard let byte = buffer.readInteger(as: UInt8.self) else { throw ISOBMFFError.truncated(context: "esds descriptor size") }
            length = length << 7 | Int(byte & 0x7F)
            if byte & 0x80 == 0 { break }
        }
        guard let body = buffer.readSlice(length: length) else { throw ISOBMFFError.truncated(context: "esds descriptor \(tag)") }
        return (tag, body)
    }
}
