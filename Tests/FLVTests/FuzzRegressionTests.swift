import FLV
import Testing

/// Inputs that crashed a fuzz target (FuzzTesting/Regressions/), parsed here by name.
@Suite struct FLVFuzzRegressionTests {
    /// Fuzz target H264SPS, input `scaling-list-delta-2e31`: a High-profile SPS whose first
    /// scaling list's delta_scale is 2^31 − 1 overflowed `last + delta + 256` (Int32) and trapped.
    @Test func spsWithAnOutOfRangeScalingListDeltaDoesNotTrap() {
        let sps: [UInt8] = [0x67, 0x64, 0x00, 0x1F, 0xAD, 0x80, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF]
        // The bits after the list are garbage: refused or not, it must return.
        _ = try? H264SequenceParameterSet(nalUnit: sps)
    }

    /// The fix keeps real scaling lists working: x264 with `cqm=jvt` (High and High 4:4:4, 64x48).
    @Test(arguments: ["6764000aacd9447b011000000300100000030140f1225960",
                      "67f4000a919b288f6022000003000200000300281e244b2c"])
    func spsWithScalingMatricesFromX264StillParses(_ hex: String) throws {
        let bytes = stride(from: 0, to: hex.count, by: 2).map { offset -> UInt8 in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
        }
        let sps = try H264SequenceParameterSet(nalUnit: bytes)
        #expect(sps.width == 64 && sps.height == 48)
    }
}
