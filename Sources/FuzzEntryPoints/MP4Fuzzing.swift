import ISOBMFF
import NIOCore

/// An MP4/F4V file (a clip in `sources/`, or an export read back): boxes, sample descriptions and
/// sample tables, then every sample's bytes read as the exporter reads them.
enum MP4Fuzzing {
    static func run(_ bytes: [UInt8]) {
        // Through the read-ahead cache as the exporter reads files, with a small block so that
        // reads straddle blocks.
        let reader = ReadAheadByteReader(InMemoryByteReader(ByteBuffer(bytes: bytes)), blockSize: 4096)
        guard let movie = try? MP4Reader().read(reader) else { return }
        for track in movie.tracks {
            for sample in track.samples.prefix(64) {
                _ = try? reader.read(at: sample.offset, count: Int(sample.size))
            }
        }
    }
}
