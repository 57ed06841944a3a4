import NIOCore

// The stamp rides in an H.264 SEI NAL unit (ITU-T H.264 §7.3.2.3, D.1.6 user_data_unregistered),
// so the video message is a valid FLV AVC NALU tag body that any relay forwards as is:
//
//   FLV VideoTagHeader: frameType<<4|7, AVCPacketType=1 (NALU), compositionTime(24)=0
//   NAL unit: length(32) | 0x06 (SEI) | payloadType=5 | payloadSize=32 |
//             uuid(128) | sequence(64) | sentNanoseconds(64) | rbsp_trailing_bits (0x80)
//
// The SEI bytes after the NAL header are escaped with emulation prevention (§7.4.1): a 0x03 after
// every 00 00 that precedes a byte <= 3.

/// A probe frame's identity: its sequence number and the monotonic time it was sent, carried in
/// the payload of a synthetic H.264 video message.
public struct LatencyStamp: Sendable, Equatable {
    /// Frame number since the publisher started (0, 1, 2...).
    public var sequence: UInt64
    /// Monotonic clock reading at send time, in nanoseconds.
    public var sentNanoseconds: UInt64

    public init(sequence: UInt64, sentNanoseconds: UInt64) {
        self.sequence = sequence
        self.sentNanoseconds = sentNanoseconds
    }

    /// Identifies our SEI among others a server could add (a fixed random UUID).
    static let uuid: [UInt8] = [0x6C, 0x73, 0x63, 0x2D, 0x8F, 0x41, 0x4E, 0x2B, 0x9A, 0x07, 0x5D, 0xC1, 0x33, 0xE2, 0x70, 0x19]
    private static let seiNALType: UInt8 = 6
    private static let userDataUnregistered: UInt8 = 5
    /// A tag body holds few NAL units; stop looking after this many.
    private static let maxNALUnits = 16

    /// The FLV video tag body carrying this stamp (AVC NALU, keyframe or inter frame).
    public func videoTagBody(keyframe: Bool) -> ByteBuffer {
        var sei: [UInt8] = [Self.userDataUnregistered, UInt8(Self.uuid.count + 16)] + Self.uuid
        for value in [sequence, sentNanoseconds] {
            for shift in stride(from: 56, through: 0, by: -8) { sei.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }
        sei.append(0x80)
        let nal = [Self.seiNALType] + EmulationPrevention.escape(sei)
        var body = ByteBuffer()
        body.writeInteger(UInt8(keyframe ? 0x17 : 0x27))
        body.writeInteger(UInt8(1))
        body.writeBytes([0, 0, 0])
        body.writeInteger(UInt32(nal.count))
        body.writeBytes(nal)
        return body
    }

    /// Reads the stamp from an FLV video tag body; nil when the body is not an AVC NALU message
    /// or carries no probe SEI.
    public init?(videoTagBody: ByteBuffer) {
        var body = videoTagBody
        guard let first = body.readInteger(as: UInt8.self), first & 0x0F == 7,
              body.readInteger(as: UInt8.self) == 1, body.readBytes(length: 3) != nil else { return nil }
        for _ in 0..<Self.maxNALUnits {
            guard let length = body.readInteger(as: UInt32.self), length <= body.readableBytes,
                  let nal = body.readBytes(length: Int(length)) else { return nil }
            if let stamp = Self.stamp(inNAL: nal) {
                self = stamp
                return
            }
        }
        return nil
    }

    private static func stamp(inNAL nal: [UInt8]) -> LatencyStamp? {
        guard nal.first.map({ $0 & 0x1F }) == seiNALType else { return nil }
        let sei = EmulationPrevention.unescape(nal.dropFirst())
        guard sei.count >= 2 + uuid.count + 16, sei[0] == userDataUnregistered, Int(sei[1]) == uuid.count + 16,
              Array(sei[2..<(2 + uuid.count)]) == uuid else { return nil }
        func integer(at offset: Int) -> UInt64 { sei[offset..<(offset + 8)].reduce(0) { $0 << 8 | UInt64($1) } }
        return LatencyStamp(sequence: integer(at: 2 + uuid.count), sentNanoseconds: integer(at: 2 + uuid.count + 8))
    }
}

/// H.264 emulation prevention (ITU-T H.264 §7.4.1): keeps start-code patterns out of NAL payloads.
public enum EmulationPrevention {
    /// Inserts 0x03 after each 00 00 that is followed by a byte <= 3.
    public static func escape<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 2)
        var zeros = 0
        for byte in bytes {
            if zeros >= 2, byte <= 3 {
                out.append(3)
                zeros = 0
            }
            out.append(byte)
            zeros = byte == 0 ? zeros + 1 : 0
        }
        return out
    }

    /// Removes the 0x03 that follows each 00 00.
    public static func unescape<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var zeros = 0
        for byte in bytes {
            if zeros >= 2, byte == 3 {
                zeros = 0
                continue
            }
            out.append(byte)
            zeros = byte == 0 ? zeros + 1 : 0
        }
        return out
    }
}
