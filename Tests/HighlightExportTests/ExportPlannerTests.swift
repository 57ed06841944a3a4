import Foundation
import FLV
import HighlightExport
import ISOBMFF
import NIOCore
import Testing

@Suite struct ExportPlannerTests {
    func plan(_ items: [(SyntheticSource, Double, Double)]) throws -> ExportPlan {
        try ExportPlanner().plan(items.map { HighlightEditList.ResolvedItem(source: $0.0, start: $0.1, end: $0.2) })
    }

    @Test func cutOnKeyframe() throws {
        let plan = try plan([(SyntheticSource(), 0.4, 1.2)])
        let video = plan.tracks[0]
        #expect(video.samples.count == 20)
        #expect(video.samples.first?.isSync == true)
        #expect(video.edits == [EditListEntry(segmentDuration: 800, mediaTime: 0)])
        #expect(plan.items == [ExportPlan.Item(start: 0.4, end: 1.2, outputStart: 0)])
        #expect(plan.duration == 0.8 || abs(plan.duration - 0.8) < 1e-9)
        // Audio starts at the frame containing 0.4 s (frame 18 starts at 0.384 s) and is trimmed.
        let audio = plan.tracks[1]
        #expect(audio.edits == [EditListEntry(segmentDuration: 800, mediaTime: 19200 - 18 * 1024)])
    }

    @Test func cutBetweenKeyframesStartsAtThePrecedingKeyframe() throws {
        // 1.0 s is frame 25; the keyframe before it is frame 20 (0.8 s).
        let plan = try plan([(SyntheticSource(), 1.0, 2.0)])
        let video = plan.tracks[0]
        #expect(video.samples.count == 30)  // frames 20..<50
        #expect(video.edits == [EditListEntry(segmentDuration: 1000, mediaTime: 200)])
        #expect(plan.items[0].start == 1.0)
    }

    @Test func inPointSnapsToTheFrameShownAtIt() throws {
        // 1.01 s is inside frame 25 (1.00–1.04): the item starts at 1.00.
        let plan = try plan([(SyntheticSource(), 1.01, 2.0)])
        #expect(plan.items[0].start == 1.0)
        #expect(plan.tracks[0].edits == [EditListEntry(segmentDuration: 1000, mediaTime: 200)])
    }

    @Test func joinsKeepTracksContinuousAndInSync() throws {
        let plan = try plan([(SyntheticSource(), 1.0, 2.0), (SyntheticSource(), 0.5, 1.5)])
        let video = plan.tracks[0]
        // Item 1: frames 20..<50 (30 frames, 1.2 s of media); item 2: frames 10..<38, and its
        // in-point 0.5 s snaps to frame 12 (0.48 s), the frame shown at 0.5 s.
        #expect(video.samples.count == 30 + 28)
        #expect(video.edits == [EditListEntry(segmentDuration: 1000, mediaTime: 200),
                                EditListEntry(segmentDuration: 1020, mediaTime: 1200 + 80)])
        let audio = plan.tracks[1]
        #expect(audio.edits.map(\.segmentDuration) == [1000, 1020])
        #expect(plan.items.map(\.start) == [1.0, 0.48])
        #expect(plan.items.map(\.outputStart) == [0, 1.0])
        #expect(abs(plan.duration - 2.02) < 1e-9)
        // One description per track: both items share the configuration.
        #expect(video.sampleDescriptions.count == 1)
        #expect(video.samples.allSatisfy { $0.descriptionIndex == 0 })
    }

    @Test func differentParametersGetSeparateSampleDescriptions() throws {
        var other = SyntheticSource()
        other.video = .avc(AVCSampleEntry(width: 640, height: 360, decoderConfiguration: [1, 0x64, 0, 0x1F, 0xFF, 0xE0, 0]))
        other.audio = .aac(AACSampleEntry(sampleRate: 48000, channelCount: 1, audioSpecificConfig: [0x11, 0x88]))
        let plan = try plan([(SyntheticSource(), 0, 1), (other, 0, 1)])
        #expect(plan.tracks[0].sampleDescriptions.count == 2)
        #expect(plan.tracks[1].sampleDescriptions.count == 2)
        #expect(plan.tracks[0].samples.prefix(25).allSatisfy { $0.descriptionIndex == 0 })
        #expect(plan.tracks[0].samples.suffix(25).allSatisfy { $0.descriptionIndex == 1 })
        // No chunk mixes descriptions (the writer would reject it).
        for chunk in plan.chunks {
            let samples = plan.tracks[chunk.track].samples[chunk.firstSample..<chunk.firstSample + chunk.sampleCount]
            #expect(Set(samples.map(\.descriptionIndex)).count == 1)
        }
    }

    @Test func itemWithoutAudioGetsAnEmptyEdit() throws {
        var silent = SyntheticSource()
        silent.audio = nil
        let plan = try plan([(silent, 0, 1), (SyntheticSource(), 0, 1)])
        #expect(plan.tracks[1].edits == [.empty(1000), EditListEntry(segmentDuration: 1000, mediaTime: 0)])
    }

    @Test func exportWritesPlannedBytesThatReadBack() throws {
        var other = SyntheticSource()
        other.tag = 77
        let plan = try plan([(SyntheticSource(), 1.0, 2.0), (other, 0.5, 1.5)])
        var sink = MemorySink()
        var progress: [Double] = []
        let written = try HighlightExporter().export(plan, to: &sink, progress: { progress.append($0) })
        #expect(written == UInt64(sink.buffer.readableBytes))
        #expect(progress.last == 1)
        let movie = try MP4Reader().read(InMemoryByteReader(sink.buffer))
        #expect(movie.topLevelBoxes == ["ftyp", "moov", "mdat"])
        #expect(movie.majorBrand == "f4v ")
        #expect(movie.duration == 2020)
        // Each output sample holds the bytes of the planned source sample.
        let sourceSamples = plan.chunkSources.flatMap { chunk in chunk.samples.map { (chunk, $0) } }
        var outputSamples: [MP4Sample] = []
        for chunk in plan.chunks {
            outputSamples += movie.tracks[chunk.track].samples[chunk.firstSample..<chunk.firstSample + chunk.sampleCount]
        }
        #expect(outputSamples.count == sourceSamples.count)
        for (output, (_, source)) in zip(outputSamples, sourceSamples) {
            let bytes = try #require(sink.buffer.getBytes(at: Int(output.offset), length: Int(output.size)))
            #expect(bytes == [UInt8](repeating: UInt8(truncatingIfNeeded: source.location), count: Int(source.size)))
        }
    }

    @Test func cancellationStopsTheExport() throws {
        let plan = try plan([(SyntheticSource(), 0, 3)])
        var sink = MemorySink()
        var checks = 0
        #expect(throws: ExportError.cancelled) {
            try HighlightExporter().export(plan, to: &sink, isCancelled: { checks += 1; return checks > 10 })
        }
    }
}

@Suite struct HighlightEditListTests {
    @Test(arguments: ["goal-1.f4v", "Goal 2.mp4"])
    func validOutputNames(name: String) throws {
        try HighlightEditList.validateOutputName(name)
    }

    @Test(arguments: ["", "../x.f4v", "a/b.f4v", ".hidden.f4v", "x..f4v", "clip.flv", "a\u{1}.f4v"])
    func invalidOutputNames(name: String) {
        #expect(throws: ExportError.self) { try HighlightEditList.validateOutputName(name) }
    }

    @Test func resolveValidatesItems() throws {
        let lookup: (HighlightItem) -> (any ExportSampleSource)? = { $0.name == "known" ? SyntheticSource() : nil }
        func item(_ name: String, _ start: Double, _ end: Double) -> HighlightItem {
            HighlightItem(source: .clip, name: name, start: .seconds(start), end: .seconds(end))
        }
        #expect(throws: ExportError.emptyEditList) { try HighlightEditList.resolve([], lookup: lookup) }
        #expect(throws: ExportError.unknownSource(item: 1, name: "nope")) {
            try HighlightEditList.resolve([item("known", 0, 1), item("nope", 0, 1)], lookup: lookup)
        }
        #expect(throws: ExportError.endNotAfterStart(item: 0)) { try HighlightEditList.resolve([item("known", 2, 1)], lookup: lookup) }
        #expect(throws: ExportError.negativeStart(item: 0)) { try HighlightEditList.resolve([item("known", -1, 1)], lookup: lookup) }
        #expect(throws: ExportError.beyondEnd(item: 0, end: 5, duration: 4)) {
            try HighlightEditList.resolve([item("known", 1, 5)], lookup: lookup)
        }
        #expect(throws: ExportError.wallClockNotUsable(item: 0)) {
            try HighlightEditList.resolve([HighlightItem(source: .clip, name: "known", start: .wallClock(Date()), end: .seconds(1))],
                                          lookup: lookup)
        }
        let resolved = try HighlightEditList.resolve([item("known", 1, 2)], lookup: lookup)
        #expect(resolved.map(\.start) == [1] && resolved.map(\.end) == [2])
    }

    @Test func liveSourcesWaitForTheirOutPoint() throws {
        var live = SyntheticSource()
        live.live = true
        let item = HighlightItem(source: .dvr, name: "live", start: .wallClock(Date(timeIntervalSince1970: 1_700_000_001)),
                                 end: .seconds(6))
        #expect(throws: ExportError.notYetAvailable(item: 0, end: 6, available: 4)) {
            try HighlightEditList.resolve([item], lookup: { _ in live })
        }
        let resolved = try HighlightEditList.resolve([item], allowWaiting: true, lookup: { _ in live })
        #expect(resolved.first?.start == 1)
    }

    @Test func itemsDecodeSecondsAndRFC3339() throws {
        let json = #"[{"source":"dvr","name":"live","start":"2026-11-21T18:00:00.5Z","end":120.5},"#
            + #"{"source":"clip","name":"a.mp4","start":0,"end":"2026-11-21T18:00:04+01:00"}]"#
        let items = try JSONDecoder().decode([HighlightItem].self, from: Data(json.utf8))
        #expect(items[0].source == .dvr)
        #expect(items[0].start == .wallClock(Date(timeIntervalSince1970: 1_795_284_000.5)))
        #expect(items[0].end == .seconds(120.5))
        #expect(items[1].end == .wallClock(Date(timeIntervalSince1970: 1_795_284_004 - 3600)))
        let reencoded = try JSONDecoder().decode([HighlightItem].self, from: JSONEncoder().encode(items))
        #expect(reencoded == items)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(HighlightItem.self, from: Data(#"{"source":"dvr","name":"x","start":"yesterday","end":1}"#.utf8))
        }
    }
}

@Suite struct InBandParameterSetTests {
    @Test func joinsWithSeveralVideoConfigurationsCarryParameterSetsInEverySample() throws {
        let sps: [UInt8] = [0x67, 0x42, 0xC0, 0x1E]
        let pps: [UInt8] = [0x68, 0xCE]
        let record = AVCDecoderConfigurationRecord(profile: 0x42, profileCompatibility: 0xC0, level: 0x1E,
                                                   sequenceParameterSets: [sps], pictureParameterSets: [pps])
        var other = SyntheticSource()
        other.video = .avc(AVCSampleEntry(width: 640, height: 360, decoderConfiguration: record.bytes))
        other.tag = 5
        let plan = try ExportPlanner().plan([HighlightEditList.ResolvedItem(source: SyntheticSource(), start: 0, end: 1),
                                             HighlightEditList.ResolvedItem(source: other, start: 0, end: 1)])
        let prefix = record.parameterSetsInBand
        let videoChunks = plan.chunkSources.enumerated().filter { plan.chunks[$0.offset].track == 0 }
        #expect(videoChunks.filter { $0.element.item == 1 }.allSatisfy { $0.element.prefix == prefix })
        // The sample sizes in the tables include the prefix, and the written bytes match them.
        let secondItem = plan.tracks[0].samples.suffix(25)
        #expect(secondItem.allSatisfy { $0.size >= UInt32(prefix.count) + 50 })
        var sink = MemorySink()
        try HighlightExporter().export(plan, to: &sink)
        let movie = try MP4Reader().read(InMemoryByteReader(sink.buffer))
        let last = try #require(movie.tracks[0].samples.last)
        let bytes = try #require(sink.buffer.getBytes(at: Int(last.offset), length: Int(last.size)))
        #expect(Array(bytes.prefix(prefix.count)) == prefix)
        #expect(bytes.dropFirst(prefix.count).allSatisfy { $0 == UInt8(truncatingIfNeeded: 5 + 24) })
    }
}
