import NIOCore

// Box layout (ISO/IEC 14496-12, 4.2):
//
//   size(32) type(32) [largesize(64) when size == 1] [version(8) flags(24) for a FullBox] payload
//
// `size` counts the whole box including its header; 0 means "to the end of the file".

extension ByteBuffer {
    /// Writes a box of `type` whose payload `body` writes, then patches its 32-bit size.
    /// Boxes built in memory are always smaller than 4 GiB; `mdat` uses `writeBoxHeader`.
    @discardableResult
    public mutating func writeBox(_ type: FourCC, _ body: (inout ByteBuffer) -> Void) -> Int {
        let start = writerIndex
        writeInteger(UInt32(0))
        writeInteger(type.rawValue)
        body(&self)
        let size = writerIndex - start
        setInteger(UInt32(truncatingIfNeeded: size), at: start)
        return size
    }

    /// Writes a full box (a box with version and flags) of `type`.
    @discardableResult
    public mutating func writeFullBox(_ type: FourCC, version: UInt8 = 0, flags: UInt32 = 0,
                                      _ body: (inout ByteBuffer) -> Void) -> Int {
        writeBox(type) { buffer in
            buffer.writeInteger(UInt32(version) << 24 | (flags & 0xFF_FFFF))
            body(&buffer)
        }
    }

    /// Writes only the header of a box whose payload of `payloadSize` bytes follows separately,
    /// with a 64-bit `largesize` when the box does not fit a 32-bit size. Returns the header length.
    @discardableResult
    public mutating func writeBoxHeader(_ type: FourCC, payloadSize: UInt64) -> Int {
        if payloadSize + 8 <= UInt64(UInt32.max) {
            writeInteger(UInt32(payloadSize + 8))
            writeInteger(type.rawValue)
            return 8
        }
        writeInteger(UInt32(1))
        writeInteger(type.rawValue)
        writeInteger(payloadSize + 16)
        return 16
    }

    /// The header length `writeBoxHeader` uses for a payload of `payloadSize` bytes.
    public static func boxHeaderLength(payloadSize: UInt64) -> Int {
        payloadSize + 8 <= UInt64(UInt32.max) ? 8 : 16
    }
}
