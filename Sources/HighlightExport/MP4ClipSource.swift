import ISOBMFF
import NIOCore

/// An on-demand MP4/F4V clip as an export source: the movie read by `MP4Reader`, payloads read
/// through the caller's byte reader. Times are on the clip's presentation clock (its edit list's
/// initial shift applied, e.g. the B-frame delay ffmpeg writes), so 0 is the first frame shown.
public struct MP4ClipSource<Reader: RandomAccessByteReader>: ExportSampleSource {
    public let movie: MP4Movie
    public let reader: Reader
    public let tracks: [ExportTrack]
    /// Per track, every sample on the presentation clock.
    private let trackSamples: [[ExportSample]]

    public init(movie: MP4Movie, reader: Reader) {
        self.movie = movie
        self.reader = reader
        var tracks: [ExportTrack] = []
        var trackSamples: [[ExportSample]] = []
        for track in movie.tracks {
            guard let kind = track.kind, !track.samples.isEmpty,
                  track.sampleDescriptions.allSatisfy({ $0.kind == kind }) else { continue }
            tracks.append(ExportTrack(kind: kind, timescale: track.timescale, sampleDescriptions: track.sampleDescriptions))
            let shift = Self.presentationShift(track, movieTimescale: movie.timescale)
            trackSamples.append(track.samples.map { sample in
                ExportSample(decodeTime: sample.decodeTime &+ shift, compositionOffset: sample.compositionOffset,
                             duration: sample.duration, size: sample.size, isSync: sample.isSync,
                             descriptionIndex: sample.descriptionIndex, location: sample.offset)
            })
        }
        self.tracks = tracks
        self.trackSamples = trackSamples
    }

    /// Leading empty edits delay the media; the first media edit's start is what is shown at 0.
    private static func presentationShift(_ track: MP4Track, movieTimescale: UInt32) -> Int64 {
        var delay: UInt64 = 0
        for edit in track.edits {
            if edit.isEmpty {
                delay += edit.segmentDuration
                continue
            }
            return Int64(clamping: F4VWriter.rescale(delay, from: movieTimescale, to: track.timescale)) &- edit.mediaTime
        }
        return 0
    }

    public var availableDuration: Double {
        if movie.duration > 0 { return movie.seconds }
        return movie.tracks.map { Double($0.mediaDuration) / Double(max($0.timescale, 1)) }.max() ?? 0
    }

    public var isLive: Bool { false }

    public func samples(track: Int, from start: Int64, to end: Int64) throws -> [ExportSample] {
        guard trackSamples.indices.contains(track) else { return [] }
        return trackSamples[track].exportRange(from: start, to: end)
    }

    public func payload(track: Int, sample: ExportSample) throws -> ByteBuffer {
        try reader.read(at: sample.location, count: Int(sample.size))
    }
}
