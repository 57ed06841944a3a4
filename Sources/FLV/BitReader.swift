/// Reads big-endian bit fields and Exp-Golomb codes (ITU-T H.264 9.1) from an RBSP.
/// Reading past the end yields zero bits and sets `overran`, so parsers check once at the end.
struct BitReader {
    private let bytes: [UInt8]
    private var position = 0
    private(set) var overran = false

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func bit() -> UInt32 {
        guard position < bytes.count * 8 else {
            overran = true
            return 0
        }
        let value = UInt32(bytes[position >> 3] >> (7 - UInt8(position & 7)) & 1)
        position += 1
        return value
    }

    mutating func bits(_ count: Int) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<count { value = value << 1 | bit() }
        return value
    }

    /// ue(v), at most 2^32 − 2 (31 leading zeros); 32 or more leading zeros are malformed
    /// (`overran` set, 0 returned).
    mutating func unsignedGolomb() -> UInt32 {
        var zeros = 0
        while bit() == 0 {
            zeros += 1
            if zeros > 31 || overran {
                overran = true
                return 0
            }
        }
        return (UInt32(1) << zeros) - 1 + bits(zeros)
    }

    /// se(v), as an `Int`: the largest codes (k = 2^32 − 2) map to ±2^31, which an `Int32`
    /// cannot hold, so callers get the exact value and bound it themselves.
    mutating func signedGolomb() -> Int {
        let code = Int(unsignedGolomb())
        return code & 1 == 1 ? code / 2 + 1 : -(code / 2)
    }
}
