import Foundation
import HighlightExport
import ISOBMFF
import Testing

/// Cuts of B-frame video: a frame belongs to the cut when its presentation time is in [in, out),
/// in/out are reported as presentation times, and audio starts with the video's preroll.
@Suite struct BFrameCutTests {
    /// The source frame numbers an export shows, in presentation order: the output samples whose
    /// presentation time falls inside each edit (video timescale 1000 = movie timescale here).
    static func shownFrames(_ plan: ExportPlan) -> [Int] {
        let video = plan.tracks[0]
        var locations: [UInt64] = []
        for (chunk, source) in zip(plan.chunks, plan.chunkSources) where chunk.track == 0 {
            locations += source.samples.map(\.location)
        }
        var decodeTime: Int64 = 0
        var presented: [(time: Int64, frame: Int)] = []
        for (index, sample) in video.samples.enumerated() {
            presented.append((decodeTime + Int64(sample.compositionOffset), Int(locations[index])))
            decodeTime += Int64(sample.duration)
        }
        return video.edits.filter { $0.mediaTime >= 0 }.flatMap { edit in
            presented.filter { $0.time >= edit.mediaTime && $0.time < edit.mediaTime + Int64(edit.segmentDuration) }
                .sorted { $0.time < $1.time }.map(\.frame)
        }
    }

    @Test func theLayoutIsDecodeOrderOfDisplayOrder() {
        let order = (0..<10).map { SyntheticSource.frameNumber(decodeIndex: $0, gop: 10) }
        #expect(order == [0, 3, 1, 2, 6, 4, 5, 9, 7, 8])
    }

    /// Frame n is shown at (n + 1) × 40 ms.
    @Test(arguments: [(1.01, 2.05), (0.5, 1.3), (0.04, 0.41), (2.2, 3.97), (1.2, 1.25), (0.85, 2.81)])
    func everyFrameShownInTheWindowAndNoOther(start: Double, end: Double) throws {
        let source = SyntheticSource(bFrames: true)
        let plan = try ExportPlanner().plan([HighlightEditList.ResolvedItem(source: source, start: start, end: end)])
        let shownAtStart = Int((start * 1000).rounded(.down)) / 40 * 40
        let expected = (0..<100).filter { ($0 + 1) * 40 >= shownAtStart && Double(($0 + 1) * 40) < end * 1000 }
        #expect(Self.shownFrames(plan) == expected)
        // In and out as presentation times: the frame shown at the in-point, and the out-point.
        #expect(plan.items[0].start == Double(shownAtStart) / 1000)
        #expect(plan.items[0].end == end)
    }

    @Test func joinsOfBFrameWindowsShowEachWindowWhole() throws {
        let source = SyntheticSource(bFrames: true)
        let windows = [(0.3, 1.13), (2.05, 2.9), (1.0, 1.5)]
        let plan = try ExportPlanner().plan(windows.map { HighlightEditList.ResolvedItem(source: source, start: $0.0, end: $0.1) })
        let expected = windows.flatMap { window in
            let shownAtStart = Int((window.0 * 1000).rounded(.down)) / 40 * 40
            return (0..<100).filter { ($0 + 1) * 40 >= shownAtStart && Double(($0 + 1) * 40) < window.1 * 1000 }
        }
        #expect(Self.shownFrames(plan) == expected)
    }

    @Test func audioStartsWithTheVideoPrerollAndTheEditHidesIt() throws {
        // 1.0 s is after the keyframe at 0.8 s (decode time): both tracks start there.
        let plan = try ExportPlanner().plan([HighlightEditList.ResolvedItem(source: SyntheticSource(), start: 1.0, end: 2.0)])
        let audio = plan.tracks[1]
        let audioFirst = plan.chunkSources.first { $0.sourceTrack == 1 }?.samples.first?.decodeTime ?? -1
        // The AAC frame containing 0.8 s starts at frame 37 (0.789 s); the edit starts at 1.0 s.
        #expect(audioFirst == 37 * 1024)
        #expect(audio.edits == [EditListEntry(segmentDuration: 1000, mediaTime: 48000 - 37 * 1024)])
    }
}
