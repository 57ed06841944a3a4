import ISOBMFF
import NIOCore
import Testing

/// A reader over an F4V header followed by `mediaDataSize` virtual bytes (no payload held).
private struct HeaderOnlyReader: RandomAccessByteReader {
    var header: [UInt8]
    var size: UInt64

    func read(at offset: UInt64, count: Int) throws -> ByteBuffer {
        guard offset + UInt64(count) <= UInt64(header.count) else { return ByteBuffer(repeating: 0, count: count) }
        return ByteBuffer(bytes: header[Int(offset)..<Int(offset) + count])
    }
}

@Suite struct F4VRoundTripTests {
    static let avcA = SampleDescription.avc(AVCSampleEntry(width: 320, height: 240, decoderConfiguration: [1, 0x42, 0xC0, 0x1E, 0xFF, 0xE0, 0x00]))
    static let avcB = SampleDescription.avc(AVCSampleEntry(width: 640, height: 360, decoderConfiguration: [1, 0x64, 0x00, 0x1F, 0xFF, 0xE0, 0x00]))
    static let aac = SampleDescription.aac(AACSampleEntry(sampleRate: 48000, channelCount: 2, audioSpecificConfig: [0x11, 0x90]))

    static func tracks() -> [F4VTrack] {
        // Video: 6 frames, B-frame style offsets, keyframes at 0 and 3, description changes at 3.
        let video = F4VTrack(kind: .video, timescale: 1000, sampleDescriptions: [avcA, avcB], samples: [
            F4VSample(duration: 40, compositionOffset: 80, size: 1000, isSync: true, descriptionIndex: 0),
            F4VSample(duration: 40, compositionOffset: 0, size: 200, isSync: false, descriptionIndex: 0),
            F4VSample(duration: 40, compositionOffset: 40, size: 300, isSync: false, descriptionIndex: 0),
            F4VSample(duration: 40, compositionOffset: 80, size: 1100, isSync: true, descriptionIndex: 1),
            F4VSample(duration: 40, compositionOffset: 0, size: 210, isSync: false, descriptionIndex: 1),
            F4VSample(duration: 40, compositionOffset: 40, size: 310, isSync: false, descriptionIndex: 1),
        ], edits: [EditListEntry(segmentDuration: 100, mediaTime: 80), EditListEntry(segmentDuration: 100, mediaTime: 200)])
        let audio = F4VTrack(kind: .audio, timescale: 48000, sampleDescriptions: [aac],
                             samples: (0..<10).map { F4VSample(duration: 1024, size: UInt32(100 + $0), isSync: true) },
                             edits: [.empty(20), EditListEntry(segmentDuration: 180, mediaTime: 0)])
        return [video, audio]
    }

    static let chunks = [
        F4VChunk(track: 0, firstSample: 0, sampleCount: 3), F4VChunk(track: 1, firstSample: 0, sampleCount: 5),
        F4VChunk(track: 0, firstSample: 3, sampleCount: 3), F4VChunk(track: 1, firstSample: 5, sampleCount: 5),
    ]

    @Test func writerOutputReadsBack() throws {
        let tracks = Self.tracks()
        let header = try F4VWriter().header(tracks: tracks, chunks: Self.chunks)
        #expect(!header.usesLargeOffsets)
        #expect(header.mediaDataSize == 3120 + 1045)
        var file = ByteBuffer(bytes: header.bytes)
        var payloadBytes: [UInt8] = []
        for chunk in Self.chunks {
            for index in chunk.firstSample..<chunk.firstSample + chunk.sampleCount {
                let size = Int(tracks[chunk.track].samples[index].size)
                payloadBytes += [UInt8](repeating: UInt8(chunk.track * 100 + index), count: size)
            }
        }
        file.writeBytes(payloadBytes)
        let movie = try MP4Reader().read(InMemoryByteReader(file))
        #expect(movie.majorBrand == "f4v ")
        #expect(movie.compatibleBrands.contains("isom"))
        #expect(movie.topLevelBoxes == ["ftyp", "moov", "mdat"])
        #expect(movie.timescale == 1000)
        #expect(movie.duration == 200)
        #expect(movie.tracks.count == 2)

        let video = movie.tracks[0]
        #expect(video.kind == .video)
        #expect(video.timescale == 1000)
        #expect(video.width == 640 && video.height == 360)
        #expect(video.sampleDescriptions == [Self.avcA, Self.avcB])
        #expect(video.edits == tracks[0].edits)
        #expect(video.samples.map(\.decodeTime) == [0, 40, 80, 120, 160, 200])
        #expect(video.samples.map(\.compositionOffset) == [80, 0, 40, 80, 0, 40])
        #expect(video.samples.map(\.isSync) == [true, false, false, true, false, false])
        #expect(video.samples.map(\.descriptionIndex) == [0, 0, 0, 1, 1, 1])
        #expect(video.samples.map(\.size) == tracks[0].samples.map(\.size))

        let audio = movie.tracks[1]
        #expect(audio.kind == .audio)
        #expect(audio.sampleDescriptions == [Self.aac])
        #expect(audio.edits == tracks[1].edits)
        #expect(audio.samples.allSatisfy { $0.isSync })
        #expect(audio.samples.map(\.decodeTime) == (0..<10).map { Int64($0 * 1024) })

        // Every sample's offset points at its own bytes.
        for (trackIndex, track) in movie.tracks.enumerated() {
            for (index, sample) in track.samples.enumerated() {
                let bytes = try #require(file.getBytes(at: Int(sample.offset), length: Int(sample.size)))
                #expect(bytes.allSatisfy { $0 == UInt8(trackIndex * 100 + index) })
            }
        }
    }

    @Test func largeFilesUseSixtyFourBitOffsets() throws {
        let track = F4VTrack(kind: .video, timescale: 1000, sampleDescriptions: [Self.avcA], samples: [
            F4VSample(duration: 40, size: 3_000_000_000, isSync: true),
            F4VSample(duration: 40, size: 3_000_000_000, isSync: true),
        ])
        let header = try F4VWriter().header(tracks: [track], chunks: [F4VChunk(track: 0, firstSample: 0, sampleCount: 1),
                                                                      F4VChunk(track: 0, firstSample: 1, sampleCount: 1)])
        #expect(header.usesLargeOffsets)
        let movie = try MP4Reader().read(HeaderOnlyReader(header: header.bytes, size: header.fileSize))
        #expect(movie.topLevelBoxes == ["ftyp", "moov", "mdat"])
        let samples = movie.tracks[0].samples
        #expect(samples[0].offset == UInt64(header.bytes.count))
        #expect(samples[1].offset == UInt64(header.bytes.count) + 3_000_000_000)
    }

    @Test func chunksMustCoverSamplesInOrder() {
        let tracks = Self.tracks()
        #expect(throws: ISOBMFFError.self) {
            try F4VWriter().header(tracks: tracks, chunks: Array(Self.chunks.dropLast()))
        }
        #expect(throws: ISOBMFFError.self) {
            try F4VWriter().header(tracks: tracks, chunks: [Self.chunks[2], Self.chunks[0], Self.chunks[1], Self.chunks[3]])
        }
        // A chunk may not mix sample descriptions.
        #expect(throws: ISOBMFFError.self) {
            try F4VWriter().header(tracks: tracks, chunks: [F4VChunk(track: 0, firstSample: 0, sampleCount: 6),
                                                            F4VChunk(track: 1, firstSample: 0, sampleCount: 10)])
        }
    }

    @Test func readerRejectsFilesWithoutMovie() {
        var file = ByteBuffer()
        file.writeBox("ftyp") { $0.writeBytes([0x69, 0x73, 0x6F, 0x6D, 0, 0, 0, 0]) }
        #expect(throws: ISOBMFFError.missingBox("moov", in: "file")) { try MP4Reader().read(InMemoryByteReader(file)) }
    }

    @Test func readerRejectsTablesLargerThanTheirBox() throws {
        let header = try F4VWriter().header(tracks: Self.tracks(), chunks: Self.chunks)
        var bytes = header.bytes
        // Corrupt the stsz sample count of the first track to a huge number.
        let stsz: [UInt8] = Array("stsz".utf8)
        let position = try #require((0..<bytes.count - 4).first { Array(bytes[$0..<$0 + 4]) == stsz })
        bytes.replaceSubrange(position + 12..<position + 16, with: [0x00, 0xFF, 0xFF, 0xFF])
        var file = ByteBuffer(bytes: bytes)
        file.writeRepeatingByte(0, count: Int(header.mediaDataSize))
        #expect(throws: ISOBMFFError.self) { try MP4Reader().read(InMemoryByteReader(file)) }
    }

    @Test func rescaleRounds() {
        #expect(F4VWriter.rescale(1, from: 3, to: 1000) == 333)
        #expect(F4VWriter.rescale(2, from: 3, to: 1000) == 667)
        #expect(F4VWriter.rescale(UInt64(Int64.max), from: 90000, to: 90000) == UInt64(Int64.max))
    }
}
