import ISOBMFF
import NIOCore
import Testing

/// Mutated files must make the reader throw or succeed, never crash or run away.
@Suite struct MalformedInputTests {
    /// A small deterministic generator (SplitMix64) so failures reproduce.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func mutatedFilesNeverCrashTheReader() throws {
        let tracks = F4VRoundTripTests.tracks()
        let header = try F4VWriter().header(tracks: tracks, chunks: F4VRoundTripTests.chunks)
        let original = header.bytes + [UInt8](repeating: 0x55, count: Int(header.mediaDataSize))
        var random = SplitMix(state: 42)
        var succeeded = 0
        for round in 0..<3000 {
            var bytes = original
            for _ in 0..<(1 + round % 4) {
                let position = Int.random(in: 0..<header.bytes.count, using: &random)
                switch round % 3 {
                case 0: bytes[position] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes[position] = [0x00, 0xFF, 0x7F, 0x80, 0x01][Int.random(in: 0..<5, using: &random)]
                default: bytes = Array(bytes.prefix(position))
                }
                if bytes.isEmpty { break }
            }
            if let movie = try? MP4Reader().read(InMemoryByteReader(ByteBuffer(bytes: bytes))) {
                succeeded += 1
                #expect(movie.tracks.count <= 2)
            }
        }
        #expect(succeeded > 0)
    }
}
