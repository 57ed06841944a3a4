import FLV
import HighlightExport
import ISOBMFF
import NIOCore
import Testing

@Suite struct FLVClipSourceTests {
    // x264 320x240 High profile record (see FLVTests) and AAC LC 48 kHz stereo.
    static let record: [UInt8] = [0x01, 0x64, 0x00, 0x0D, 0xFF, 0xE1, 0x00, 0x19, 0x67, 0x64, 0x00, 0x0D, 0xAC, 0xD9, 0x41, 0x41,
                                  0xFB, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0x20, 0xF1, 0x42, 0x99,
                                  0x60, 0x01, 0x00, 0x04, 0x68, 0xEF, 0x8F, 0xCB, 0xFD, 0xF8, 0xF8, 0x00]

    /// 2 s of 25 fps video (keyframe every 10 frames, 80 ms composition offset) and 48 kHz AAC,
    /// starting at timestamp 5000 ms; payload bytes encode the frame index.
    static func file() -> ByteBuffer {
        var buffer = FLVFileWriter.header(hasAudio: true, hasVideo: true)
        FLVFileWriter.writeTag(MediaFrame(kind: .scriptData, timestamp: 0, payload: ByteBuffer(bytes: [2, 0, 0])), into: &buffer)
        FLVFileWriter.writeTag(MediaFrame(kind: .video, timestamp: 5000, payload: ByteBuffer(bytes: [0x17, 0, 0, 0, 0] + record)),
                               into: &buffer)
        FLVFileWriter.writeTag(MediaFrame(kind: .audio, timestamp: 5000, payload: ByteBuffer(bytes: [0xAF, 0, 0x11, 0x90])), into: &buffer)
        var audioIndex = 0
        for index in 0..<50 {
            let time = UInt32(5000 + index * 40)
            while 5000 + audioIndex * 1024 * 1000 / 48000 <= Int(time) {
                let audioTime = UInt32(5000 + audioIndex * 1024 * 1000 / 48000)
                FLVFileWriter.writeTag(MediaFrame(kind: .audio, timestamp: audioTime,
                                                  payload: ByteBuffer(bytes: [0xAF, 1] + [UInt8](repeating: 0xA0, count: 6))), into: &buffer)
                audioIndex += 1
            }
            let frameType: UInt8 = index % 10 == 0 ? 0x17 : 0x27
            FLVFileWriter.writeTag(MediaFrame(kind: .video, timestamp: time,
                                              payload: ByteBuffer(bytes: [frameType, 1, 0, 0, 80] + [UInt8](repeating: UInt8(index), count: 20))),
                                   into: &buffer)
        }
        return buffer
    }

    @Test func indexesTagsIntoTracksAndSamples() throws {
        let source = try FLVClipSource(reader: InMemoryByteReader(Self.file()))
        #expect(source.tracks.map(\.kind) == [.video, .audio])
        guard case let .avc(entry) = source.tracks[0].sampleDescriptions.first else {
            Issue.record("no AVC description")
            return
        }
        #expect(entry.width == 320 && entry.height == 240)
        #expect(source.tracks[1].sampleDescriptions == [.aac(AACSampleEntry(sampleRate: 48000, channelCount: 2, audioSpecificConfig: [0x11, 0x90]))])
        #expect(abs(source.availableDuration - 2.0) < 0.05)
        // From 0.5 s: back to the keyframe at 0.4 s (frame 10), through frames before 1.0 s.
        let samples = try source.samples(track: 0, from: 500, to: 1000)
        #expect(samples.map(\.decodeTime) == (10..<25).map { Int64($0 * 40) })
        #expect(samples.first?.isSync == true)
        #expect(samples.allSatisfy { $0.compositionOffset == 80 && $0.duration == 40 && $0.size == 20 })
        let payload = try source.payload(track: 0, sample: samples[3])
        #expect(Array(payload.readableBytesView) == [UInt8](repeating: 13, count: 20))
    }

    @Test func exportsToF4V() throws {
        let source = try FLVClipSource(reader: InMemoryByteReader(Self.file()))
        let plan = try ExportPlanner().plan([HighlightEditList.ResolvedItem(source: source, start: 0.5, end: 1.5)])
        var sink = MemorySink()
        try HighlightExporter().export(plan, to: &sink)
        let movie = try MP4Reader().read(InMemoryByteReader(sink.buffer))
        #expect(movie.topLevelBoxes == ["ftyp", "moov", "mdat"])
        // Frames are shown 80 ms after decoding: the frame shown at 0.5 s is frame 10 (0.48 s).
        #expect(plan.items.first?.start == 0.48)
        #expect(movie.duration == 1020)
        #expect(movie.tracks[0].samples.first?.isSync == true)
        #expect(movie.tracks[0].edits.first?.segmentDuration == 1020)
    }

    @Test func rejectsOtherFiles() {
        #expect(throws: FLVClipSource<InMemoryByteReader>.IndexError.notFLV) {
            try FLVClipSource(reader: InMemoryByteReader(ByteBuffer(bytes: Array("....ftypisom....".utf8))))
        }
    }
}
