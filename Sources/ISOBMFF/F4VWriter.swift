import NIOCore

// Layout written (ISO/IEC 14496-12; Adobe F4V file format 10.1):
//
//   ftyp  major 'f4v ', compatible 'isom' 'mp42' 'm4v ' 'f4v ' 'avc1'
//   moov
//     mvhd
//     trak (one per track)
//       tkhd
//       edts/elst                 trims, joins, gaps (empty edits)
//       mdia
//         mdhd, hdlr
//         minf
//           vmhd|smhd, dinf/dref/url
//           stbl
//             stsd                one avc1(avcC) or mp4a(esds) entry per distinct configuration
//             stts ctts stss      durations, composition offsets, sync samples
//             stsc stsz stco|co64 chunks (stsc picks the sample description), sizes, offsets
//   mdat  chunk payloads in the order of the chunk list
//
// `moov` is written before `mdat`, so every offset is computed before any media is written: the
// size of `moov` depends only on whether offsets need 64 bits, never on their values.

/// Writes the header of an F4V file (ISO BMFF, brand `f4v `) for H.264 and AAC tracks with `moov`
/// before `mdat`, so that the file plays by progressive download as soon as it is complete.
public struct F4VWriter: Sendable {
    public var movieTimescale: UInt32
    public var majorBrand: FourCC
    public var compatibleBrands: [FourCC]

    public init(movieTimescale: UInt32 = 1000, majorBrand: FourCC = "f4v ",
                compatibleBrands: [FourCC] = ["isom", "mp42", "m4v ", "f4v ", "avc1"]) {
        self.movieTimescale = movieTimescale
        self.majorBrand = majorBrand
        self.compatibleBrands = compatibleBrands
    }

    /// Computes `ftyp`, `moov` and the `mdat` header for `tracks` whose payloads will be written in
    /// the order of `chunks`. Throws when the chunks do not cover each track's samples in order,
    /// mix sample descriptions within a chunk, or reference missing descriptions.
    public func header(tracks: [F4VTrack], chunks: [F4VChunk]) throws -> F4VHeader {
        try validate(tracks: tracks, chunks: chunks)
        let mediaDataSize = chunks.reduce(UInt64(0)) { total, chunk in
            tracks[chunk.track].samples[chunk.firstSample..<chunk.firstSample + chunk.sampleCount]
                .reduce(total) { $0 + UInt64($1.size) }
        }
        var ftyp = ByteBuffer()
        ftyp.writeBox("ftyp") { buffer in
            buffer.writeInteger(majorBrand.rawValue)
            buffer.writeInteger(UInt32(1))
            for brand in compatibleBrands { buffer.writeInteger(brand.rawValue) }
        }
        let mdatHeaderLength = ByteBuffer.boxHeaderLength(payloadSize: mediaDataSize)
        var largeOffsets = false
        var moov = movieBox(tracks: tracks, chunks: chunks, firstChunkOffset: 0, largeOffsets: false)
        if UInt64(ftyp.readableBytes + moov.readableBytes + mdatHeaderLength) + mediaDataSize > UInt64(UInt32.max) {
            largeOffsets = true
            moov = movieBox(tracks: tracks, chunks: chunks, firstChunkOffset: 0, largeOffsets: true)
        }
        let mediaStart = UInt64(ftyp.readableBytes + moov.readableBytes + mdatHeaderLength)
        moov = movieBox(tracks: tracks, chunks: chunks, firstChunkOffset: mediaStart, largeOffsets: largeOffsets)
        var out = ftyp
        out.writeBuffer(&moov)
        out.writeBoxHeader("mdat", payloadSize: mediaDataSize)
        return F4VHeader(bytes: Array(out.readableBytesView), mediaDataSize: mediaDataSize, usesLargeOffsets: largeOffsets)
    }

    private func validate(tracks: [F4VTrack], chunks: [F4VChunk]) throws {
        var next = [Int](repeating: 0, count: tracks.count)
        for chunk in chunks {
            guard tracks.indices.contains(chunk.track), chunk.sampleCount > 0, chunk.firstSample == next[chunk.track] else {
                throw ISOBMFFError.malformed("chunk \(chunk) out of order")
            }
            let track = tracks[chunk.track]
            guard chunk.firstSample + chunk.sampleCount <= track.samples.count else { throw ISOBMFFError.malformed("chunk \(chunk) past the samples") }
            let description = track.samples[chunk.firstSample].descriptionIndex
            guard track.sampleDescriptions.indices.contains(description) else {
                throw ISOBMFFError.malformed("sample description \(description) missing")
            }
            guard track.samples[chunk.firstSample..<chunk.firstSample + chunk.sampleCount].allSatisfy({ $0.descriptionIndex == description }) else {
                throw ISOBMFFError.malformed("chunk \(chunk) mixes sample descriptions")
            }
            next[chunk.track] += chunk.sampleCount
        }
        for (index, track) in tracks.enumerated() where next[index] != track.samples.count {
            throw ISOBMFFError.malformed("chunks cover \(next[index]) of \(track.samples.count) samples of track \(index)")
        }
    }

    /// Presentation duration of `track` in the movie timescale.
    public func presentationDuration(of track: F4VTrack) -> UInt64 {
        if !track.edits.isEmpty { return track.edits.reduce(0) { $0 + $1.segmentDuration } }
        return Self.rescale(track.mediaDuration, from: track.timescale, to: movieTimescale)
    }

    /// `value` ticks of `from` per second in ticks of `to`, rounded to nearest.
    public static func rescale(_ value: UInt64, from: UInt32, to: UInt32) -> UInt64 {
        guard from != 0 else { return 0 }
        let product = value.multipliedFullWidth(by: UInt64(to))
        let (quotient, remainder) = UInt64(from).dividingFullWidth((product.high, product.low))
        return remainder * 2 >= UInt64(from) ? quotient + 1 : quotient
    }

    /// The initialization segment of a fragmented file (ISO/IEC 14496-12 8.8; CMAF): `ftyp` and a
    /// `moov` whose tracks have no samples, with an `mvex` holding one `trex` per track, so that
    /// `moof`/`mdat` fragments follow. Track ids are the track's index plus one.
    public func initializationSegment(tracks: [F4VTrack]) -> ByteBuffer {
        var out = ByteBuffer()
        out.writeBox("ftyp") { buffer in
            buffer.writeInteger(majorBrand.rawValue)
            buffer.writeInteger(UInt32(0))
            for brand in compatibleBrands { buffer.writeInteger(brand.rawValue) }
        }
        let empty = tracks.map { F4VTrack(kind: $0.kind, timescale: $0.timescale, sampleDescriptions: $0.sampleDescriptions, samples: []) }
        var moov = movieBox(tracks: empty, chunks: [], firstChunkOffset: 0, largeOffsets: false, fragmented: true)
        out.writeBuffer(&moov)
        return out
    }

    private func movieBox(tracks: [F4VTrack], chunks: [F4VChunk], firstChunkOffset: UInt64, largeOffsets: Bool,
                          fragmented: Bool = false) -> ByteBuffer {
        // Offsets of every chunk, per track, in file order.
        var chunkOffsets = [[UInt64]](repeating: [], count: tracks.count)
        var position = firstChunkOffset
        for chunk in chunks {
            chunkOffsets[chunk.track].append(position)
            for sample in tracks[chunk.track].samples[chunk.firstSample..<chunk.firstSample + chunk.sampleCount] {
                position += UInt64(sample.size)
            }
        }
        var chunkSizes = [[Int]](repeating: [], count: tracks.count)
        for chunk in chunks { chunkSizes[chunk.track].append(chunk.sampleCount) }

        let movieDuration = tracks.map(presentationDuration(of:)).max() ?? 0
        var moov = ByteBuffer()
        moov.writeBox("moov") { moov in
            let wide = movieDuration > UInt64(UInt32.max)
            moov.writeFullBox("mvhd", version: wide ? 1 : 0) { box in
                writeTimes(&box, wide: wide)
                box.writeInteger(movieTimescale)
                writeDuration(&box, movieDuration, wide: wide)
                box.writeInteger(UInt32(0x0001_0000))  // rate 1.0
                box.writeInteger(UInt16(0x0100))  // volume 1.0
                box.writeRepeatingByte(0, count: 10)
                writeMatrix(&box)
                box.writeRepeatingByte(0, count: 24)
                box.writeInteger(UInt32(tracks.count + 1))  // next_track_ID
            }
            for (index, track) in tracks.enumerated() {
                writeTrack(&moov, track: track, id: UInt32(index + 1), chunkOffsets: chunkOffsets[index],
                           chunkSizes: chunkSizes[index], largeOffsets: largeOffsets)
            }
            if fragmented {
                moov.writeBox("mvex") { mvex in
                    for index in tracks.indices {
                        mvex.writeFullBox("trex") { box in
                            box.writeInteger(UInt32(index + 1))  // track_ID
                            box.writeInteger(UInt32(1))  // default_sample_description_index
                            box.writeRepeatingByte(0, count: 12)  // default duration, size, flags
                        }
                    }
                }
            }
        }
        return moov
    }

    private func writeTrack(_ moov: inout ByteBuffer, track: F4VTrack, id: UInt32, chunkOffsets: [UInt64], chunkSizes: [Int],
                            largeOffsets: Bool) {
        let duration = presentationDuration(of: track)
        let (width, height) = track.sampleDescriptions.reduce((UInt16(0), UInt16(0))) { size, description in
            if case let .avc(entry) = description { return (max(size.0, entry.width), max(size.1, entry.height)) }
            return size
        }
        moov.writeBox("trak") { trak in
            let wide = duration > UInt64(UInt32.max)
            trak.writeFullBox("tkhd", version: wide ? 1 : 0, flags: 0x3) { box in
                writeTimes(&box, wide: wide)
                box.writeInteger(id)
                box.writeInteger(UInt32(0))
                writeDuration(&box, duration, wide: wide)
                box.writeRepeatingByte(0, count: 8)
                box.writeInteger(UInt16(0))  // layer
                box.writeInteger(UInt16(0))  // alternate_group
                box.writeInteger(UInt16(track.kind == .audio ? 0x0100 : 0))
                box.writeInteger(UInt16(0))
                writeMatrix(&box)
                box.writeInteger(UInt32(width) << 16)
                box.writeInteger(UInt32(height) << 16)
            }
            if !track.edits.isEmpty {
                trak.writeBox("edts") { edts in
                    let wideEdits = track.edits.contains {
                        $0.segmentDuration > UInt64(UInt32.max) || $0.mediaTime > Int64(Int32.max) || $0.mediaTime < Int64(Int32.min)
                    }
                    edts.writeFullBox("elst", version: wideEdits ? 1 : 0) { box in
                        box.writeInteger(UInt32(track.edits.count))
                        for edit in track.edits {
                            if wideEdits {
                                box.writeInteger(edit.segmentDuration)
                                box.writeInteger(edit.mediaTime)
                            } else {
                                box.writeInteger(UInt32(edit.segmentDuration))
                                box.writeInteger(Int32(edit.mediaTime))
                            }
                            box.writeInteger(edit.mediaRate)
                            box.writeInteger(Int16(0))
                        }
                    }
                }
            }
            trak.writeBox("mdia") { mdia in
                let mediaDuration = track.mediaDuration
                let wideMedia = mediaDuration > UInt64(UInt32.max)
                mdia.writeFullBox("mdhd", version: wideMedia ? 1 : 0) { box in
                    writeTimes(&box, wide: wideMedia)
                    box.writeInteger(track.timescale)
                    writeDuration(&box, mediaDuration, wide: wideMedia)
                    box.writeInteger(UInt16(0x55C4))  // language 'und'
                    box.writeInteger(UInt16(0))
                }
                mdia.writeFullBox("hdlr") { box in
                    box.writeInteger(UInt32(0))
                    box.writeInteger(FourCC(track.kind == .video ? "vide" : "soun").rawValue)
                    box.writeRepeatingByte(0, count: 12)
                    box.writeString(track.kind == .video ? "VideoHandler" : "SoundHandler")
                    box.writeInteger(UInt8(0))
                }
                mdia.writeBox("minf") { minf in
                    if track.kind == .video {
                        minf.writeFullBox("vmhd", flags: 1) { $0.writeRepeatingByte(0, count: 8) }
                    } else {
                        minf.writeFullBox("smhd") { $0.writeRepeatingByte(0, count: 4) }
                    }
                    minf.writeBox("dinf") { dinf in
                        dinf.writeFullBox("dref") { dref in
                            dref.writeInteger(UInt32(1))
                            dref.writeFullBox("url ", flags: 1) { _ in }
                        }
                    }
                    minf.writeBox("stbl") { stbl in
                        SampleTableWriter(track: track, chunkOffsets: chunkOffsets, chunkSizes: chunkSizes,
                                          largeOffsets: largeOffsets).write(into: &stbl)
                    }
                }
            }
        }
    }

    private func writeTimes(_ box: inout ByteBuffer, wide: Bool) {
        // Creation and modification times are left at 0: the writer is pure (no clock).
        box.writeRepeatingByte(0, count: wide ? 16 : 8)
    }

    private func writeDuration(_ box: inout ByteBuffer, _ duration: UInt64, wide: Bool) {
        if wide { box.writeInteger(duration) } else { box.writeInteger(UInt32(duration)) }
    }

    private func writeMatrix(_ box: inout ByteBuffer) {
        for value: UInt32 in [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] { box.writeInteger(value) }
    }
}
