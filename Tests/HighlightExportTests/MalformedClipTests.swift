import HighlightExport
import ISOBMFF
import NIOCore
import Testing

@Suite struct MalformedClipTests {
    @Test func mutatedFLVFilesNeverCrashTheIndexer() {
        let original = Array(FLVClipSourceTests.file().readableBytesView)
        var state: UInt64 = 7
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for round in 0..<2000 {
            var bytes = original
            for _ in 0..<(1 + round % 3) {
                let position = next() % bytes.count
                if round % 4 == 3 {
                    bytes = Array(bytes.prefix(position))
                } else {
                    bytes[position] = UInt8(truncatingIfNeeded: next())
                }
                if bytes.isEmpty { break }
            }
            guard let source = try? FLVClipSource(reader: InMemoryByteReader(ByteBuffer(bytes: bytes))) else { continue }
            for track in source.tracks.indices {
                let samples = (try? source.samples(track: track, from: 0, to: 100_000)) ?? []
                for sample in samples.prefix(5) { _ = try? source.payload(track: track, sample: sample) }
            }
            _ = try? ExportPlanner().plan([HighlightEditList.ResolvedItem(source: source, start: 0.1, end: 1.0)])
        }
    }
}
