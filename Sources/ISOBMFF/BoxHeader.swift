import NIOCore

/// The header of one box: where it is, how long it is and what it holds.
public struct BoxHeader: Equatable, Sendable {
    public var type: FourCC
    /// Offset of the box's first byte, relative to whatever the caller parsed.
    public var offset: UInt64
    /// Size of the whole box including the header.
    public var size: UInt64
    /// 8, or 16 with a 64-bit size (plus 16 more for a `uuid` box's user type, not counted here).
    public var headerLength: Int

    public var payloadOffset: UInt64 { offset + UInt64(headerLength) }
    public var payloadSize: UInt64 { size - UInt64(headerLength) }
    public var end: UInt64 { offset + size }

    public init(type: FourCC, offset: UInt64, size: UInt64, headerLength: Int) {
        self.type = type
        self.offset = offset
        self.size = size
        self.headerLength = headerLength
    }

    /// Parses a header from the first 8 or 16 bytes of `bytes`, which sit at `offset` within a
    /// parent that ends at `limit`. Rejects sizes smaller than the header or past the limit;
    /// size 0 ("to the end") extends to `limit`.
    public static func parse(_ bytes: ByteBuffer, offset: UInt64, limit: UInt64) throws -> BoxHeader {
        guard let size32 = bytes.getInteger(at: bytes.readerIndex, as: UInt32.self),
              let type = bytes.getInteger(at: bytes.readerIndex + 4, as: UInt32.self) else {
            throw ISOBMFFError.truncated(context: "box header at \(offset)")
        }
        let fourCC = FourCC(rawValue: type)
        var size = UInt64(size32)
        var headerLength = 8
        if size32 == 1 {
            guard let large = bytes.getInteger(at: bytes.readerIndex + 8, as: UInt64.self) else {
                throw ISOBMFFError.truncated(context: "64-bit size of box '\(fourCC)' at \(offset)")
            }
            size = large
            headerLength = 16
        } else if size32 == 0 {
            guard limit >= offset else { throw ISOBMFFError.invalidBoxSize(type: fourCC, offset: offset, size: 0) }
            size = limit - offset
        }
        guard size >= UInt64(headerLength), offset <= limit, size <= limit - offset else {
            throw ISOBMFFError.invalidBoxSize(type: fourCC, offset: offset, size: size)
        }
        return BoxHeader(type: fourCC, offset: offset, size: size, headerLength: headerLength)
    }

    /// The child boxes laid out in `payload` (a box payload held in memory), in order.
    /// `payload`'s reader index is position 0 of the returned headers' offsets.
    public static func children(of payload: ByteBuffer) throws -> [BoxHeader] {
        var result: [BoxHeader] = []
        let limit = UInt64(payload.readableBytes)
        var offset: UInt64 = 0
        while offset + 8 <= limit {
            guard let rest = payload.getSlice(at: payload.readerIndex + Int(offset), length: Int(limit - offset)) else { break }
            let header = try parse(rest, offset: offset, limit: limit)
            result.append(header)
            offset = header.end
        }
        return result
    }
}

extension ByteBuffer {
    /// The payload of `box` (a header from `BoxHeader.children(of: self)`).
    public func payload(of box: BoxHeader) -> ByteBuffer? {
        getSlice(at: readerIndex + Int(box.payloadOffset), length: Int(box.payloadSize))
    }

    /// The payload of the first child box of `type` in this payload, if any.
    public func child(_ type: FourCC) throws -> ByteBuffer? {
        guard let box = try BoxHeader.children(of: self).first(where: { $0.type == type }) else { return nil }
        return payload(of: box)
    }

    /// Like `child` but throws `missingBox` when there is none.
    public func requireChild(_ type: FourCC, in parent: String) throws -> ByteBuffer {
        guard let payload = try child(type) else { throw ISOBMFFError.missingBox(type, in: parent) }
        return payload
    }
}
