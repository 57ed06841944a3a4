import ISOBMFF
import NIOCore
import Testing

@Suite struct BoxTests {
    @Test func nestedBoxesRoundTrip() throws {
        var buffer = ByteBuffer()
        buffer.writeBox("moov") { moov in
            moov.writeFullBox("mvhd", version: 1, flags: 0x000102) { $0.writeInteger(UInt32(42)) }
            moov.writeBox("trak") { $0.writeBytes([1, 2, 3]) }
        }
        let top = try BoxHeader.children(of: buffer)
        #expect(top.map(\.type) == ["moov"])
        #expect(top[0].size == UInt64(buffer.readableBytes))
        let moov = try #require(buffer.payload(of: top[0]))
        let children = try BoxHeader.children(of: moov)
        #expect(children.map(\.type) == ["mvhd", "trak"])
        #expect(children.map(\.size) == [16, 11])
        let mvhd = try moov.requireChild("mvhd", in: "moov")
        #expect(mvhd.getInteger(at: mvhd.readerIndex, as: UInt32.self) == 0x0100_0102)
        #expect(mvhd.getInteger(at: mvhd.readerIndex + 4, as: UInt32.self) == 42)
        #expect(try moov.child("free") == nil)
        #expect(throws: ISOBMFFError.missingBox("free", in: "moov")) { try moov.requireChild("free", in: "moov") }
    }

    @Test func largeSizeHeader() throws {
        var buffer = ByteBuffer()
        let length = buffer.writeBoxHeader("mdat", payloadSize: 5_000_000_000)
        #expect(length == 16)
        #expect(ByteBuffer.boxHeaderLength(payloadSize: 5_000_000_000) == 16)
        #expect(ByteBuffer.boxHeaderLength(payloadSize: 100) == 8)
        let header = try BoxHeader.parse(buffer, offset: 0, limit: 6_000_000_000)
        #expect(header.type == "mdat")
        #expect(header.headerLength == 16)
        #expect(header.size == 5_000_000_016)
        #expect(header.payloadSize == 5_000_000_000)
    }

    @Test func sizeZeroExtendsToLimit() throws {
        let bytes = ByteBuffer(bytes: [0, 0, 0, 0, 0x6D, 0x64, 0x61, 0x74])
        let header = try BoxHeader.parse(bytes, offset: 100, limit: 1000)
        #expect(header.size == 900)
    }

    @Test(arguments: [
        ([0, 0, 0, 4, 0x66, 0x72, 0x65, 0x65] as [UInt8], "smaller than its header"),
        ([0, 0, 1, 0, 0x66, 0x72, 0x65, 0x65] as [UInt8], "past its parent"),
        ([0, 0, 0, 1, 0x66, 0x72, 0x65, 0x65, 0, 0, 0, 0, 0, 0, 0, 4] as [UInt8], "64-bit size too small"),
    ])
    func malformedSizesAreRejected(bytes: [UInt8], reason: String) {
        #expect(throws: ISOBMFFError.self, "\(reason)") {
            try BoxHeader.children(of: ByteBuffer(bytes: bytes + [UInt8](repeating: 0, count: 16)))
        }
    }

    @Test func truncatedHeaderIsRejected() {
        #expect(throws: ISOBMFFError.self) { try BoxHeader.parse(ByteBuffer(bytes: [0, 0, 0, 1, 0x6D, 0x64, 0x61, 0x74, 0]), offset: 0, limit: 100) }
    }

    @Test func fourCCDescription() {
        #expect(FourCC("f4v").description == "f4v ")
        #expect(FourCC(rawValue: 0x0000_0001).description == "0x1")
    }

    @Test func elementaryStreamDescriptorRoundTrip() throws {
        var buffer = ByteBuffer()
        ElementaryStreamDescriptor.write(audioSpecificConfig: [0x12, 0x10], into: &buffer)
        #expect(try ElementaryStreamDescriptor.audioSpecificConfig(in: buffer) == [0x12, 0x10])
        // The short (one length byte) form as other muxers write it.
        let short = ByteBuffer(bytes: [0x03, 0x19, 0x00, 0x01, 0x00, 0x04, 0x11, 0x40, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                       0x05, 0x02, 0x11, 0x90, 0x06, 0x01, 0x02])
        #expect(try ElementaryStreamDescriptor.audioSpecificConfig(in: short) == [0x11, 0x90])
        #expect(throws: ISOBMFFError.self) { try ElementaryStreamDescriptor.audioSpecificConfig(in: ByteBuffer(bytes: [0x03, 0x40, 0])) }
    }
}
