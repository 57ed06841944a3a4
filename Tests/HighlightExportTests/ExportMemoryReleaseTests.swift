import Foundation
import HighlightExport
import NIOCore
import Synchronization
import Testing

/// An export releases each item's source once its media is written (issue 9: one POST with many
/// items kept every opened clip, ~1.15 MB each, until the job ended).
@Suite struct ExportMemoryReleaseTests {
    /// A source object whose lifetime the test watches.
    final class TrackedSource: ExportSampleSource {
        let inner: SyntheticSource
        let released: ReleaseLog
        init(tag: UInt64, released: ReleaseLog) {
            var inner = SyntheticSource(seconds: 2)
            inner.tag = tag
            self.inner = inner
            self.released = released
        }
        deinit { released.tags.withLock { _ = $0.insert(inner.tag) } }
        var tracks: [ExportTrack] { inner.tracks }
        var availableDuration: Double { inner.availableDuration }
        var startTime: Double { 0 }
        var isLive: Bool { false }
        func samples(track: Int, from start: Int64, to end: Int64) throws -> [ExportSample] { try inner.samples(track: track, from: start, to: end) }
        func payload(track: Int, sample: ExportSample) throws -> ByteBuffer { try inner.payload(track: track, sample: sample) }
        func streamTime(atWallClock date: Date) -> Double? { nil }
    }

    /// Records, at every payload written, which sources had been released.
    struct WatchingSink: ExportByteSink {
        let released: ReleaseLog
        var seen: [(bytes: Int, released: Set<UInt64>)] = []
        mutating func write(_ bytes: ByteBuffer) throws { seen.append((bytes.readableBytes, released.tags.withLock { $0 })) }
    }

    @Test func eachItemsSourceIsReleasedAfterItsMediaIsWritten() throws {
        let released = ReleaseLog()
        let plan: ExportPlan = try {
            let items = (0..<3).map { index in
                HighlightEditList.ResolvedItem(source: TrackedSource(tag: UInt64(index) * 10_000, released: released), start: 0, end: 1)
            }
            return try ExportPlanner().plan(items)
        }()
        #expect(released.tags.withLock { $0.isEmpty })
        var sink = WatchingSink(released: released)
        try HighlightExporter().export(consume plan, to: &sink)
        // While the last item is written, the first two are gone.
        let last = try #require(sink.seen.last)
        #expect(last.released == [0, 10_000])
        #expect(sink.seen.first?.released.isEmpty == true)
        #expect(released.tags.withLock { $0 } == [0, 10_000, 20_000], "and the last one after the export")
    }
}

/// Tags of the sources deallocated so far.
final class ReleaseLog: Sendable {
    let tags = Mutex<Set<UInt64>>([])
}
