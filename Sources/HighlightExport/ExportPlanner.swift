import FLV
import ISOBMFF

/// Turns resolved items into an `ExportPlan`. For each item:
///
/// - video starts at the sync sample at or before the in-point; the in-point snaps to the frame
///   shown at that time (the last frame whose presentation time is at or before it); samples run
///   up to the last one, in decode order, whose presentation time is before the out-point (a
///   frame belongs to the cut when its presentation time is in [in, out));
/// - audio starts with the video's preroll (at the frame that contains the sync sample's decode
///   time), so that both tracks start together in decode time;
/// - one edit-list entry per item and track presents exactly [in, out) (the frames decoded
///   before the in-point are decoded but not shown); both tracks get the same segment duration,
///   so audio and video stay in sync across joins; a track missing from an item gets an empty edit;
/// - each distinct codec configuration becomes its own sample description.
///
/// No payload is read: only sample metadata.
public struct ExportPlanner {
    public var movieTimescale: UInt32
    /// Length of the interleaving slices of `mdat` in seconds.
    public var interleave: Double

    public init(movieTimescale: UInt32 = 1000, interleave: Double = 0.5) {
        self.movieTimescale = movieTimescale
        self.interleave = interleave
    }

    /// The samples of one item and track, with their times on the output track.
    private struct Segment {
        var sourceTrack: Int
        var samples: [ExportSample]
        var outputDecodeTimes: [Int64]
        var outputDurations: [UInt32]
        var outputOffsets: [Int32]
        var descriptionIndices: [Int]
    }

    public func plan(_ items: [HighlightEditList.ResolvedItem]) throws -> ExportPlan {
        guard !items.isEmpty else { throw ExportError.emptyEditList }
        let kinds: [TrackKind] = [.video, .audio].filter { kind in items.contains { $0.source.firstTrack(kind) != nil } }
        guard !kinds.isEmpty else { throw ExportError.noMedia(item: 0) }
        for (index, item) in items.enumerated() {
            for kind in kinds {
                guard let track = item.source.firstTrack(kind) else { continue }
                for description in item.source.tracks[track].sampleDescriptions where description.kind != kind {
                    throw ExportError.unsupportedCodec(item: index, "\(description)")
                }
            }
        }
        // Output timescale per kind: the sources' own when they agree, else 90 kHz.
        let timescales = kinds.map { kind -> UInt32 in
            let all = Set(items.compactMap { item in item.source.firstTrack(kind).map { item.source.tracks[$0].timescale } })
            return all.count == 1 ? all.first ?? 90_000 : 90_000
        }

        var outputTracks = kinds.enumerated().map { F4VTrack(kind: $1, timescale: timescales[$0], sampleDescriptions: [], samples: []) }
        var segmentsByItem: [[Segment?]] = []
        var plannedItems: [ExportPlan.Item] = []
        var nextDecodeTime = [Int64](repeating: 0, count: kinds.count)
        var outputStart = 0.0

        for (index, item) in items.enumerated() {
            // The in-point snaps to the video frame shown at it.
            var start = item.start
            let videoTrack = kinds.firstIndex(of: .video).flatMap { _ in item.source.firstTrack(.video) }
            var videoSamples: [ExportSample] = []
            if let videoTrack {
                let timescale = item.source.tracks[videoTrack].timescale
                let from = Self.ticks(item.start, timescale)
                let to = Self.ticks(item.end, timescale)
                videoSamples = try item.source.samples(track: videoTrack, from: from, to: to)
                // With B-frames the frame shown at the in-point may be decoded before the sync
                // sample found by decode time: then look one GOP further back.
                if !videoSamples.contains(where: { $0.compositionTime <= from }), let first = videoSamples.first, first.decodeTime > 0 {
                    videoSamples = try item.source.samples(track: videoTrack, from: first.decodeTime - 1, to: to)
                }
                if let first = videoSamples.first, first.isSync {
                    let shown = videoSamples.map(\.compositionTime).filter { $0 <= from }.max()
                        ?? videoSamples.map(\.compositionTime).min() ?? from
                    start = Double(shown) / Double(timescale)
                    // Start at the last sync sample decoded at or before the shown frame's time, and end
                    // with the last sample (in decode order) shown before the out-point: a frame
                    // belongs to the cut when its presentation time is in [in, out), and B-frames
                    // shown before the out-point are decoded after the reference they need, which
                    // the edit list then hides.
                    // (The shown frame may be decoded before a sync sample whose decode time is
                    // still at or before its presentation time: the sync is found by decode order.)
                    let shownIndex = videoSamples.firstIndex { $0.compositionTime == shown } ?? 0
                    if let sync = videoSamples[...shownIndex].lastIndex(where: \.isSync) {
                        videoSamples.removeFirst(sync)
                    }
                    let last = videoSamples.lastIndex { $0.compositionTime < to } ?? 0
                    videoSamples.removeLast(videoSamples.count - last - 1)
                } else if !videoSamples.isEmpty {
                    throw ExportError.noMedia(item: index)
                }
            }
            guard item.end > start else { throw ExportError.endNotAfterStart(item: index) }
            let segmentDuration = UInt64(max(0, Self.ticks(item.end - start, movieTimescale)))
            var segments: [Segment?] = []
            for (trackIndex, kind) in kinds.enumerated() {
                guard let sourceTrack = item.source.firstTrack(kind) else {
                    outputTracks[trackIndex].edits.append(.empty(segmentDuration))
                    segments.append(nil)
                    continue
                }
                let track = item.source.tracks[sourceTrack]
                let samples: [ExportSample]
                if kind == .video {
                    samples = videoSamples
                } else {
                    // Audio starts with the video's preroll (from its sync sample's decode time), so
                    // both tracks start together in decode time and the edit lists hide the same
                    // lead-in: demuxers that interleave by decode time (GStreamer's qtdemux) would
                    // otherwise wait up to a GOP for the other track.
                    let preroll = videoSamples.first.flatMap { first in
                        videoTrack.map { Double(first.decodeTime) / Double(item.source.tracks[$0].timescale) }
                    }
                    let from = Self.ticks(min(start, preroll ?? start), track.timescale)
                    let to = Self.ticks(item.end, track.timescale)
                    samples = try item.source.samples(track: sourceTrack, from: from, to: to)
                }
                guard let first = samples.first else {
                    outputTracks[trackIndex].edits.append(.empty(segmentDuration))
                    segments.append(nil)
                    continue
                }
                let outScale = outputTracks[trackIndex].timescale
                let base = nextDecodeTime[trackIndex]
                func output(_ sourceTicks: Int64) -> Int64 {
                    base + Self.rescale(sourceTicks - first.decodeTime, from: track.timescale, to: outScale)
                }
                let decodeTimes = samples.map { output($0.decodeTime) }
                // The next item starts after every frame of this one is presented, hidden ones
                // included (a reference decoded before the out-point and shown after it): its
                // presentation time must not fall into the next item's edit.
                let endTime = samples.map { output(max($0.decodeTime, $0.compositionTime) + Int64($0.duration)) }.max() ?? base
                var durations: [UInt32] = []
                durations.reserveCapacity(samples.count)
                for position in samples.indices {
                    let next = position + 1 < samples.count ? decodeTimes[position + 1] : endTime
                    durations.append(UInt32(clamping: max(0, next - decodeTimes[position])))
                }
                let offsets = samples.map { Int32(clamping: Self.rescale(Int64($0.compositionOffset), from: track.timescale, to: outScale)) }
                var descriptions: [Int] = []
                for sample in samples {
                    guard track.sampleDescriptions.indices.contains(sample.descriptionIndex) else {
                        throw ExportError.sourceFailed("item \(index): sample description \(sample.descriptionIndex) missing")
                    }
                    let description = track.sampleDescriptions[sample.descriptionIndex]
                    if let existing = outputTracks[trackIndex].sampleDescriptions.firstIndex(of: description) {
                        descriptions.append(existing)
                    } else {
                        outputTracks[trackIndex].sampleDescriptions.append(description)
                        descriptions.append(outputTracks[trackIndex].sampleDescriptions.count - 1)
                    }
                }
                // The edit starts at the output presentation time of the in-point.
                let mediaTime: Int64
                if kind == .video {
                    let inTicks = Self.ticks(start, track.timescale)
                    let shownIndex = samples.indices.filter { samples[$0].compositionTime <= inTicks }
                        .max { samples[$0].compositionTime < samples[$1].compositionTime } ?? 0
                    mediaTime = decodeTimes[shownIndex] + Int64(offsets[shownIndex])
                } else {
                    mediaTime = output(Self.ticks(start, track.timescale))
                }
                outputTracks[trackIndex].edits.append(EditListEntry(segmentDuration: segmentDuration, mediaTime: max(mediaTime, base)))
                for position in samples.indices {
                    outputTracks[trackIndex].samples.append(F4VSample(
                        duration: durations[position], compositionOffset: offsets[position], size: samples[position].size,
                        isSync: samples[position].isSync, descriptionIndex: descriptions[position]))
                }
                nextDecodeTime[trackIndex] = endTime
                segments.append(Segment(sourceTrack: sourceTrack, samples: samples, outputDecodeTimes: decodeTimes,
                                        outputDurations: durations, outputOffsets: offsets, descriptionIndices: descriptions))
            }
            guard segments.contains(where: { $0 != nil }) else { throw ExportError.noMedia(item: index) }
            segmentsByItem.append(segments)
            plannedItems.append(ExportPlan.Item(start: start, end: item.end, outputStart: outputStart))
            outputStart += item.end - start
        }

        var (chunks, chunkSources) = interleaveChunks(segmentsByItem, timescales: timescales)
        addInBandParameterSets(tracks: &outputTracks, chunks: chunks, sources: &chunkSources)
        return ExportPlan(movieTimescale: movieTimescale, tracks: outputTracks, chunks: chunks, chunkSources: chunkSources,
                          items: plannedItems, sources: items.map(\.source))
    }

    /// Orders the samples in `mdat`: item by item, and within an item in slices of `interleave`
    /// seconds, video then audio; a chunk is a run of one track with one sample description.
    private func interleaveChunks(_ segmentsByItem: [[Segment?]], timescales: [UInt32]) -> ([F4VChunk], [ExportPlan.ChunkSource]) {
        var chunks: [F4VChunk] = []
        var sources: [ExportPlan.ChunkSource] = []
        var nextSample = [Int](repeating: 0, count: timescales.count)
        for (item, segments) in segmentsByItem.enumerated() {
            var position = [Int](repeating: 0, count: segments.count)
            var sliceEnd = 0.0
            var firstSlice = true
            while segments.indices.contains(where: { track in segments[track].map { position[track] < $0.samples.count } ?? false }) {
                for (track, segment) in segments.enumerated() {
                    guard let segment else { continue }
                    if firstSlice {
                        sliceEnd = max(sliceEnd, segment.outputDecodeTimes.first.map { Double($0) / Double(timescales[track]) } ?? 0)
                    }
                }
                sliceEnd += interleave
                firstSlice = false
                for (track, segment) in segments.enumerated() {
                    guard let segment else { continue }
                    while position[track] < segment.samples.count,
                          Double(segment.outputDecodeTimes[position[track]]) / Double(timescales[track]) < sliceEnd {
                        let description = segment.descriptionIndices[position[track]]
                        var end = position[track]
                        while end < segment.samples.count, segment.descriptionIndices[end] == description,
                              Double(segment.outputDecodeTimes[end]) / Double(timescales[track]) < sliceEnd {
                            end += 1
                        }
                        chunks.append(F4VChunk(track: track, firstSample: nextSample[track], sampleCount: end - position[track]))
                        sources.append(ExportPlan.ChunkSource(item: item, sourceTrack: segment.sourceTrack,
                                                              samples: Array(segment.samples[position[track]..<end])))
                        nextSample[track] += end - position[track]
                        position[track] = end
                    }
                }
            }
        }
        return (chunks, sources)
    }

    /// When a video track has several sample descriptions, every sample carries its SPS/PPS in
    /// band as well. Demuxers that track the description through `stsc` while also applying edit
    /// lists can attach the wrong `avcC` to a frame (ffmpeg 5 does); parameter sets in the sample
    /// itself take precedence, so every frame decodes with its own configuration. The cost is a
    /// few dozen bytes per frame, and only for joins of differently encoded items.
    private func addInBandParameterSets(tracks: inout [F4VTrack], chunks: [F4VChunk], sources: inout [ExportPlan.ChunkSource]) {
        for (index, chunk) in chunks.enumerated() where tracks[chunk.track].sampleDescriptions.count > 1 {
            let description = tracks[chunk.track].samples[chunk.firstSample].descriptionIndex
            guard case let .avc(entry) = tracks[chunk.track].sampleDescriptions[description],
                  let record = try? AVCDecoderConfigurationRecord(bytes: entry.decoderConfiguration) else { continue }
            let prefix = record.parameterSetsInBand
            sources[index].prefix = prefix
            for sample in chunk.firstSample..<chunk.firstSample + chunk.sampleCount {
                tracks[chunk.track].samples[sample].size += UInt32(prefix.count)
            }
        }
    }

    /// `seconds` in ticks of `timescale`, clamped to the representable range.
    static func ticks(_ seconds: Double, _ timescale: UInt32) -> Int64 {
        let value = (seconds * Double(timescale)).rounded()
        guard value.isFinite else { return value > 0 ? Int64.max / 2 : 0 }
        return Int64(max(-9.0e15, min(9.0e15, value)))
    }

    /// `value` ticks at `from` Hz in ticks at `to` Hz, rounded to nearest.
    static func rescale(_ value: Int64, from: UInt32, to: UInt32) -> Int64 {
        if from == to { return value }
        let magnitude = Int64(F4VWriter.rescale(value.magnitude, from: from, to: to))
        return value < 0 ? -magnitude : magnitude
    }
}
