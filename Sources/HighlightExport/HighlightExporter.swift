import ISOBMFF
import NIOCore

/// The remux engine: writes an `ExportPlan` as one F4V file — `ftyp` and `moov` first, then the
/// `mdat` payloads read one sample at a time from the sources. Nothing is decoded or encoded, and
/// only one sample payload is held in memory at a time (plus the sink's own buffering). The plan
/// is consumed: each item's source (its open file and sample index) and each chunk's sample list
/// are released as soon as they are written, so a long edit list does not keep every clip open.
public struct HighlightExporter {
    public var writer: F4VWriter

    public init(writer: F4VWriter = F4VWriter()) {
        self.writer = writer
    }

    /// Writes `plan` to `sink`. `progress` receives the fraction of payload bytes written;
    /// `isCancelled` is checked between samples and stops the export with `ExportError.cancelled`.
    /// Returns the number of bytes written.
    @discardableResult
    public func export(_ plan: consuming ExportPlan, to sink: inout some ExportByteSink,
                       progress: (Double) -> Void = { _ in }, isCancelled: () -> Bool = { false }) throws -> UInt64 {
        var writer = self.writer
        writer.movieTimescale = plan.movieTimescale
        let header = try writer.header(tracks: plan.tracks, chunks: plan.chunks)
        try sink.write(ByteBuffer(bytes: header.bytes))
        var written: UInt64 = 0
        let total = max(header.mediaDataSize, 1)
        var lastReported = -1.0
        var sources: [(any ExportSampleSource)?] = plan.sources
        plan.sources = []
        var lastChunkOfItem: [Int: Int] = [:]
        for (index, chunk) in plan.chunkSources.enumerated() { lastChunkOfItem[chunk.item] = index }
        for index in plan.chunkSources.indices {
            let chunk = plan.chunkSources[index]
            plan.chunkSources[index].samples = []
            guard let source = sources[chunk.item] else { continue }
            defer { if lastChunkOfItem[chunk.item] == index { sources[chunk.item] = nil } }
            let prefix = chunk.prefix.isEmpty ? nil : ByteBuffer(bytes: chunk.prefix)
            for sample in chunk.samples {
                if isCancelled() { throw ExportError.cancelled }
                let payload: ByteBuffer
                do {
                    payload = try source.payload(track: chunk.sourceTrack, sample: sample)
                } catch let error as ExportError {
                    throw error
                } catch {
                    throw ExportError.sourceFailed("item \(chunk.item): \(error)")
                }
                guard payload.readableBytes == Int(sample.size) else {
                    throw ExportError.payloadSizeMismatch(item: chunk.item, expected: sample.size, actual: payload.readableBytes)
                }
                if let prefix {
                    try sink.write(prefix)
                    written += UInt64(prefix.readableBytes)
                }
                try sink.write(payload)
                written += UInt64(sample.size)
                let fraction = Double(written) / Double(total)
                if fraction - lastReported >= 0.01 {
                    lastReported = fraction
                    progress(fraction)
                }
            }
        }
        progress(1)
        return UInt64(header.bytes.count) + written
    }
}
