import ISOBMFF
import NIOCore
import Testing

/// `hvc1`+`hvcC`, `av01`+`av1C`, `vp09`+`vpcC` and `Opus`+`dOps` entries survive write → read.
@Suite struct CodecSampleEntryTests {
    static let entries: [(SampleDescription, TrackKind)] = [
        (.codec(CodecSampleEntry(format: "hvc1", configurationType: "hvcC", configuration: [1, 1, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 0x5D,
                                                                                          0xF0, 0, 0xFC, 0xFD, 0xF8, 0xF8, 0, 0, 0x0F, 0],
                                 width: 1280, height: 720)), .video),
        (.codec(CodecSampleEntry(format: "av01", configurationType: "av1C", configuration: [0x81, 0x08, 0x0C, 0x00], width: 320, height: 240)), .video),
        (.codec(CodecSampleEntry(format: "vp09", configurationType: "vpcC", configuration: [0, 10, 0x80, 1, 1, 1, 0, 0], width: 64, height: 48)), .video),
        (.codec(CodecSampleEntry(format: "Opus", configurationType: "dOps", configuration: [0, 2, 0x01, 0x38, 0, 0, 0xBB, 0x80, 0, 0, 0],
                                 channelCount: 2, sampleRate: 48000)), .audio),
    ]

    @Test(arguments: 0..<entries.count) func roundTrip(_ index: Int) throws {
        let (description, kind) = Self.entries[index]
        #expect(description.kind == kind)
        let track = F4VTrack(kind: kind, timescale: 1000, sampleDescriptions: [description],
                             samples: [F4VSample(duration: 20, size: 4, isSync: true)])
        let header = try F4VWriter().header(tracks: [track], chunks: [F4VChunk(track: 0, firstSample: 0, sampleCount: 1)])
        var file = ByteBuffer(bytes: header.bytes)
        file.writeBytes([1, 2, 3, 4])
        let movie = try MP4Reader().read(InMemoryByteReader(file))
        #expect(movie.tracks.first?.sampleDescriptions == [description])
    }

    @Test func vpcCIsAFullBox() throws {
        let (description, _) = Self.entries[2]
        let track = F4VTrack(kind: .video, timescale: 1000, sampleDescriptions: [description], samples: [F4VSample(duration: 20, size: 1, isSync: true)])
        let bytes = try F4VWriter().header(tracks: [track], chunks: [F4VChunk(track: 0, firstSample: 0, sampleCount: 1)]).bytes
        let vpcC = try #require(bytes.indices.first { bytes[$0..<min($0 + 4, bytes.count)].elementsEqual("vpcC".utf8) })
        #expect(Array(bytes[vpcC + 4..<vpcC + 8]) == [1, 0, 0, 0])  // version 1, flags 0
        #expect(Array(bytes[vpcC + 8..<vpcC + 16]) == [0, 10, 0x80, 1, 1, 1, 0, 0])
    }
}
