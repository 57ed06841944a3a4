import ISOBMFF

/// The complete layout of an export, computed before any media is written: the output tracks
/// (sample tables and edit lists), the chunk order of `mdat`, and for every chunk the source
/// samples whose payloads fill it.
public struct ExportPlan {
    /// What one item became: the actual in-point (the frame at or before the requested one) and
    /// the out-point, in seconds of the item's source.
    public struct Item: Hashable, Sendable {
        public var start: Double
        public var end: Double
        /// Offset of the item in the output, in seconds.
        public var outputStart: Double
        public var duration: Double { end - start }

        public init(start: Double, end: Double, outputStart: Double) {
            self.start = start
            self.end = end
            self.outputStart = outputStart
        }
    }

    /// The source samples of one output chunk.
    public struct ChunkSource {
        public var item: Int
        public var sourceTrack: Int
        public var samples: [ExportSample]
        /// Bytes written before each sample's payload (in-band SPS/PPS when the video track has
        /// several configurations), already counted in the output samples' sizes.
        public var prefix: [UInt8] = []
    }

    public var movieTimescale: UInt32
    public var tracks: [F4VTrack]
    public var chunks: [F4VChunk]
    /// Parallel to `chunks`.
    public var chunkSources: [ChunkSource]
    public var items: [Item]
    /// The sources of the items, by item index.
    public var sources: [any ExportSampleSource]

    /// Output duration in seconds (the sum of the items).
    public var duration: Double { items.reduce(0) { $0 + $1.duration } }
    /// Number of samples to copy.
    public var sampleCount: Int { tracks.reduce(0) { $0 + $1.samples.count } }
}
