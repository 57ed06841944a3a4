import NIOCore

/// Reads the movie structure of an MP4/F4V file: the top-level boxes, `ftyp` and `moov`, with
/// every track's sample table expanded into samples (time, size, file offset, sync flag,
/// description). Sample payloads are not read; the caller reads them at `MP4Sample.offset`.
///
/// Memory is bounded: `moov` larger than `maximumMoovSize` or tables with more than
/// `maximumSampleCount` entries are rejected.
public struct MP4Reader {
    public var maximumMoovSize: Int
    public var maximumSampleCount: Int

    public init(maximumMoovSize: Int = 128 << 20, maximumSampleCount: Int = 4_000_000) {
        self.maximumMoovSize = maximumMoovSize
        self.maximumSampleCount = maximumSampleCount
    }

    /// Reads the movie from `reader`.
    public func read(_ reader: some RandomAccessByteReader) throws -> MP4Movie {
        var topLevel: [BoxHeader] = []
        var offset: UInt64 = 0
        let size = reader.size
        while offset + 8 <= size, topLevel.count < 10_000 {
            let headerBytes = try reader.read(at: offset, count: Int(min(16, size - offset)))
            let header = try BoxHeader.parse(headerBytes, offset: offset, limit: size)
            topLevel.append(header)
            offset = header.end
        }
        var majorBrand: FourCC?
        var compatible: [FourCC] = []
        if let ftyp = topLevel.first(where: { $0.type == "ftyp" }), ftyp.payloadSize >= 8, ftyp.payloadSize <= 4096 {
            var payload = try reader.read(at: ftyp.payloadOffset, count: Int(ftyp.payloadSize))
            majorBrand = payload.readInteger(as: UInt32.self).map(FourCC.init(rawValue:))
            payload.moveReaderIndex(forwardBy: 4)
            while let brand = payload.readInteger(as: UInt32.self) { compatible.append(FourCC(rawValue: brand)) }
        }
        guard let moov = topLevel.first(where: { $0.type == "moov" }) else { throw ISOBMFFError.missingBox("moov", in: "file") }
        guard moov.payloadSize <= UInt64(maximumMoovSize) else { throw ISOBMFFError.tooLarge("moov of \(moov.payloadSize) bytes") }
        let payload = try reader.read(at: moov.payloadOffset, count: Int(moov.payloadSize))
        let (timescale, duration) = try parseMovieHeader(payload.requireChild("mvhd", in: "moov"))
        var tracks: [MP4Track] = []
        for box in try BoxHeader.children(of: payload) where box.type == "trak" {
            guard let trak = payload.payload(of: box) else { continue }
            tracks.append(try parseTrack(trak))
        }
        return MP4Movie(majorBrand: majorBrand, compatibleBrands: compatible, timescale: timescale, duration: duration,
                        tracks: tracks, topLevelBoxes: topLevel.map(\.type))
    }

    private func parseMovieHeader(_ mvhd: ByteBuffer) throws -> (UInt32, UInt64) {
        var buffer = mvhd
        guard let version = buffer.readInteger(as: UInt32.self).map({ $0 >> 24 }) else { throw ISOBMFFError.truncated(context: "mvhd") }
        if version == 1 {
            buffer.moveReaderIndex(forwardBy: min(16, buffer.readableBytes))
            guard let timescale = buffer.readInteger(as: UInt32.self), let duration = buffer.readInteger(as: UInt64.self) else {
                throw ISOBMFFError.truncated(context: "mvhd")
            }
            return (timescale, duration)
        }
        buffer.moveReaderIndex(forwardBy: min(8, buffer.readableBytes))
        guard let timescale = buffer.readInteger(as: UInt32.self), let duration = buffer.readInteger(as: UInt32.self) else {
            throw ISOBMFFError.truncated(context: "mvhd")
        }
        return (timescale, UInt64(duration))
    }

    private func parseTrack(_ trak: ByteBuffer) throws -> MP4Track {
        var tkhd = try trak.requireChild("tkhd", in: "trak")
        guard let version = tkhd.readInteger(as: UInt32.self).map({ $0 >> 24 }) else { throw ISOBMFFError.truncated(context: "tkhd") }
        let skipTimes = version == 1 ? 16 : 8
        guard let trackID = tkhd.getInteger(at: tkhd.readerIndex + skipTimes, as: UInt32.self) else { throw ISOBMFFError.truncated(context: "tkhd") }
        let sizeAt = tkhd.readerIndex + skipTimes + 8 + (version == 1 ? 8 : 4) + 8 + 8 + 36
        let width = tkhd.getInteger(at: sizeAt, as: UInt32.self).map { $0 >> 16 } ?? 0
        let height = tkhd.getInteger(at: sizeAt + 4, as: UInt32.self).map { $0 >> 16 } ?? 0

        var edits: [EditListEntry] = []
        if let edts = try trak.child("edts"), let elst = try edts.child("elst") {
            edits = try parseEditList(elst)
        }
        let mdia = try trak.requireChild("mdia", in: "trak")
        let (timescale, mediaDuration) = try parseMediaHeader(mdia.requireChild("mdhd", in: "mdia"))
        let hdlr = try mdia.requireChild("hdlr", in: "mdia")
        let handler = hdlr.getInteger(at: hdlr.readerIndex + 8, as: UInt32.self).map(FourCC.init(rawValue:))
        let kind: TrackKind? = handler == "vide" ? .video : handler == "soun" ? .audio : nil
        let stbl = try mdia.requireChild("minf", in: "mdia").requireChild("stbl", in: "minf")
        let descriptions = try parseSampleDescriptions(stbl.requireChild("stsd", in: "stbl"))
        let samples = try SampleTableParser(stbl: stbl, maximumSampleCount: maximumSampleCount,
                                            descriptionCount: descriptions.count).samples()
        return MP4Track(id: trackID, kind: kind, timescale: timescale, mediaDuration: mediaDuration, width: width, height: height,
                        sampleDescriptions: descriptions, edits: edits, samples: samples)
    }

    private func parseEditList(_ elst: ByteBuffer) throws -> [EditListEntry] {
        var buffer = elst
        guard let version = buffer.readInteger(as: UInt32.self).map({ $0 >> 24 }),
              let count = buffer.readInteger(as: UInt32.self) else { throw ISOBMFFError.truncated(context: "elst") }
        let entrySize = version == 1 ? 20 : 12
        guard Int(count) <= buffer.readableBytes / entrySize else { throw ISOBMFFError.truncated(context: "elst entries") }
        var entries: [EditListEntry] = []
        for _ in 0..<count {
            let duration: UInt64
            let mediaTime: Int64
            if version == 1 {
                duration = buffer.readInteger(as: UInt64.self) ?? 0
                mediaTime = buffer.readInteger(as: Int64.self) ?? 0
            } else {
                duration = UInt64(buffer.readInteger(as: UInt32.self) ?? 0)
                mediaTime = Int64(buffer.readInteger(as: Int32.self) ?? 0)
            }
            let rate = buffer.readInteger(as: Int16.self) ?? 1
            buffer.moveReaderIndex(forwardBy: 2)
            entries.append(EditListEntry(segmentDuration: duration, mediaTime: mediaTime, mediaRate: rate))
        }
        return entries
    }

    private func parseMediaHeader(_ mdhd: ByteBuffer) throws -> (UInt32, UInt64) {
        // Same layout as mvhd for the fields we need.
        try parseMovieHeader(mdhd)
    }

    private func parseSampleDescriptions(_ stsd: ByteBuffer) throws -> [SampleDescription] {
        var buffer = stsd
        buffer.moveReaderIndex(forwardBy: min(8, buffer.readableBytes))  // version/flags, entry_count
        return try BoxHeader.children(of: buffer).map { entry in
            guard let body = buffer.payload(of: entry) else { throw ISOBMFFError.truncated(context: "stsd entry") }
            switch entry.type {
            case "avc1", "avc3":
                // VisualSampleEntry: 78 bytes of fields, then child boxes.
                guard body.readableBytes >= 78,
                      let width = body.getInteger(at: body.readerIndex + 24, as: UInt16.self),
                      let height = body.getInteger(at: body.readerIndex + 26, as: UInt16.self),
                      let children = body.getSlice(at: body.readerIndex + 78, length: body.readableBytes - 78) else {
                    throw ISOBMFFError.truncated(context: "avc1 sample entry")
                }
                let avcC = try children.requireChild("avcC", in: "avc1")
                return .avc(AVCSampleEntry(width: width, height: height, decoderConfiguration: Array(avcC.readableBytesView)))
            case "mp4a":
                // AudioSampleEntry: 28 bytes (QuickTime sound description v1 adds 16, v2 adds 36).
                guard let soundVersion = body.getInteger(at: body.readerIndex + 8, as: UInt16.self),
                      let channels = body.getInteger(at: body.readerIndex + 16, as: UInt16.self),
                      let rate = body.getInteger(at: body.readerIndex + 24, as: UInt32.self) else {
                    throw ISOBMFFError.truncated(context: "mp4a sample entry")
                }
                let fieldsLength = 28 + (soundVersion == 1 ? 16 : soundVersion == 2 ? 36 : 0)
                guard let children = body.getSlice(at: body.readerIndex + fieldsLength, length: max(0, body.readableBytes - fieldsLength)) else {
                    throw ISOBMFFError.truncated(context: "mp4a sample entry")
                }
                var esds = try children.requireChild("esds", in: "mp4a")
                esds.moveReaderIndex(forwardBy: min(4, esds.readableBytes))
                let config = try ElementaryStreamDescriptor.audioSpecificConfig(in: esds)
                return .aac(AACSampleEntry(sampleRate: rate >> 16, channelCount: channels, audioSpecificConfig: config))
            case let format where CodecSampleEntry.configurationTypes[format] != nil:
                return try Self.codecEntry(format: format, body: body)
            default:
                return .unsupported(entry.type)
            }
        }
    }

    /// `hvc1`/`hev1`/`av01`/`vp09` (VisualSampleEntry, 78 bytes of fields) or `Opus`
    /// (AudioSampleEntry, 28 bytes), then the configuration box.
    private static func codecEntry(format: FourCC, body: ByteBuffer) throws -> SampleDescription {
        guard let configurationType = CodecSampleEntry.configurationTypes[format] else { return .unsupported(format) }
        let isAudio = format == "Opus"
        let fieldsLength = isAudio ? 28 : 78
        guard body.readableBytes >= fieldsLength,
              let children = body.getSlice(at: body.readerIndex + fieldsLength, length: body.readableBytes - fieldsLength) else {
            throw ISOBMFFError.truncated(context: "\(format) sample entry")
        }
        var config = try children.requireChild(configurationType, in: "\(format)")
        if configurationType == "vpcC" { config.moveReaderIndex(forwardBy: min(4, config.readableBytes)) }
        var entry = CodecSampleEntry(format: format, configurationType: configurationType, configuration: Array(config.readableBytesView))
        if isAudio {
            entry.channelCount = body.getInteger(at: body.readerIndex + 16, as: UInt16.self) ?? 0
            entry.sampleRate = (body.getInteger(at: body.readerIndex + 24, as: UInt32.self) ?? 0) >> 16
        } else {
            entry.width = body.getInteger(at: body.readerIndex + 24, as: UInt16.self) ?? 0
            entry.height = body.getInteger(at: body.readerIndex + 26, as: UInt16.self) ?? 0
        }
        return .codec(entry)
    }
}
