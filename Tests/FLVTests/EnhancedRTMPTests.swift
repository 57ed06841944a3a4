import FLV
import NIOCore
import Testing

/// E-RTMP v2 header tables: bytes in, the one classification every consumer uses out.
@Suite struct EnhancedRTMPTests {
    struct VideoCase: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var codec: FLVVideoTagHeader.Codec
        var keyframe: Bool
        var sequenceHeader: Bool
        var compositionTime: Int32
        var headerLength: Int
        var trackID: UInt8 = 0
        var multitrack: Bool = false
        var testDescription: String { name }
    }

    static let hvc1: [UInt8] = Array("hvc1".utf8), av01: [UInt8] = Array("av01".utf8)
    static let vp09: [UInt8] = Array("vp09".utf8), avc1: [UInt8] = Array("avc1".utf8)

    static let videoCases: [VideoCase] = [
        VideoCase(name: "hvc1 SequenceStart", bytes: [0x90] + hvc1 + [1, 2], codec: .hevc, keyframe: false,
                  sequenceHeader: true, compositionTime: 0, headerLength: 5),
        VideoCase(name: "hvc1 CodedFrames key, cts -40", bytes: [0x91] + hvc1 + [0xFF, 0xFF, 0xD8, 9], codec: .hevc,
                  keyframe: true, sequenceHeader: false, compositionTime: -40, headerLength: 8),
        VideoCase(name: "hvc1 CodedFramesX inter", bytes: [0xA3] + hvc1 + [9], codec: .hevc, keyframe: false,
                  sequenceHeader: false, compositionTime: 0, headerLength: 5),
        VideoCase(name: "av01 CodedFrames key (no cts)", bytes: [0x91] + av01 + [9], codec: .av1, keyframe: true,
                  sequenceHeader: false, compositionTime: 0, headerLength: 5),
        VideoCase(name: "vp09 SequenceStart", bytes: [0x90] + vp09 + [1], codec: .vp9, keyframe: false,
                  sequenceHeader: true, compositionTime: 0, headerLength: 5),
        VideoCase(name: "avc1 CodedFrames key", bytes: [0x91] + avc1 + [0, 0, 40, 9], codec: .avc, keyframe: true,
                  sequenceHeader: false, compositionTime: 40, headerLength: 8),
        VideoCase(name: "SequenceEnd", bytes: [0x92] + av01, codec: .av1, keyframe: false, sequenceHeader: false,
                  compositionTime: 0, headerLength: 5),
        VideoCase(name: "Metadata (key frame type, not a keyframe)", bytes: [0x94] + hvc1 + [2, 0], codec: .hevc,
                  keyframe: false, sequenceHeader: false, compositionTime: 0, headerLength: 5),
        VideoCase(name: "ModEx (nano offset) then CodedFramesX", bytes: [0x97, 2, 0, 0, 1, 0x03] + av01 + [9],
                  codec: .av1, keyframe: true, sequenceHeader: false, compositionTime: 0, headerLength: 10),
        VideoCase(name: "Multitrack OneTrack track 1", bytes: [0x96, 0x01] + hvc1 + [1, 0, 0, 0, 9], codec: .hevc,
                  keyframe: true, sequenceHeader: false, compositionTime: 0, headerLength: 10, trackID: 1, multitrack: true),
        VideoCase(name: "Multitrack ManyTracksManyCodecs", bytes: [0xA6, 0x21] + av01 + [0, 0, 0, 1, 7] + hvc1 + [2, 0, 0, 4, 0, 0, 0, 8],
                  codec: .av1, keyframe: false, sequenceHeader: false, compositionTime: 0, headerLength: 10, multitrack: true),
        VideoCase(name: "legacy HEVC (CodecID 12)", bytes: [0x1C, 0, 0, 0, 0, 1], codec: .hevc, keyframe: false,
                  sequenceHeader: true, compositionTime: 0, headerLength: 5),
    ]

    @Test(arguments: videoCases) func video(_ row: VideoCase) throws {
        let payload = ByteBuffer(bytes: row.bytes)
        let header = try #require(FLVVideoTagHeader(payload: payload))
        let frame = MediaFrame(kind: .video, timestamp: 0, payload: payload)
        #expect(header.codec == row.codec)
        #expect(frame.isVideoKeyframe == row.keyframe)
        #expect(frame.isSequenceHeader == row.sequenceHeader)
        #expect(header.compositionTime == row.compositionTime)
        #expect(header.headerLength == row.headerLength)
        #expect(frame.trackID == row.trackID)
        #expect(frame.isMultitrack == row.multitrack)
    }

    @Test func manyTracksLocatesEachTrack() throws {
        let bytes: [UInt8] = [0x96, 0x13] + Self.hvc1 + [0, 0, 0, 2, 0xAA, 0xBB, 1, 0, 0, 1, 0xCC]
        let tag = try #require(ExVideoTag(payload: ByteBuffer(bytes: bytes)))
        #expect(tag.multitrack == .manyTracks)
        #expect(tag.packetType == .codedFramesX)
        #expect(tag.tracks.map(\.trackID) == [0, 1])
        #expect(tag.tracks.map(\.dataLength) == [2, 1])
        #expect(bytes[tag.tracks[1].dataOffset] == 0xCC)
    }

    @Test(arguments: [
        [0x91] + Array("hvc1".utf8) + [0, 0],  // cts cut short
        [0x96, 0x13] + Array("hvc1".utf8) + [0, 0, 0, 9, 1],  // track size past the end
        [0x97, 0xFF],  // ModEx size 256 needs a UI16
        [0x97, 5, 1, 2],  // ModEx data cut short
        [0x97, 0, 0, 0x07, 0, 0, 0x07, 0, 0, 0x07, 0, 0, 0x07, 0, 0, 0x07, 0, 0, 0x07, 0, 0, 0x07, 0, 0, 0x07, 0, 0, 0x07],  // chain > 8
        [0x96, 0x66] + Array("hvc1".utf8),  // Multitrack inside Multitrack
        [0x90, 0x68, 0x76],  // FourCC cut short
    ] as [[UInt8]]) func malformedVideoIsRejected(_ bytes: [UInt8]) {
        #expect(ExVideoTag(payload: ByteBuffer(bytes: bytes)) == nil)
        #expect(!MediaFrame(kind: .video, timestamp: 0, payload: ByteBuffer(bytes: bytes)).isVideoKeyframe)
    }

    @Test func everyTruncationOfAValidMessageIsSafe() {
        let bytes: [UInt8] = [0x97, 2, 0, 0, 1, 0x06, 0x23] + Self.av01 + [0, 0, 0, 3, 1, 2, 3] + Self.vp09 + [1, 0, 0, 1, 4]
        #expect(ExVideoTag(payload: ByteBuffer(bytes: bytes))?.tracks.count == 2)
        for length in 0..<bytes.count - 1 {
            let tag = ExVideoTag(payload: ByteBuffer(bytes: Array(bytes.prefix(length))))
            #expect(tag == nil || tag!.tracks.allSatisfy { $0.dataOffset + $0.dataLength <= length })
        }
    }

    struct AudioCase: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var fourCC: String?
        var sequenceHeader: Bool
        var headerLength: Int
        var trackID: UInt8 = 0
        var testDescription: String { name }
    }

    static let audioCases: [AudioCase] = [
        AudioCase(name: "Opus SequenceStart", bytes: [0x90] + Array("Opus".utf8) + [1], fourCC: "Opus", sequenceHeader: true, headerLength: 5),
        AudioCase(name: "Opus CodedFrames", bytes: [0x91] + Array("Opus".utf8) + [1], fourCC: "Opus", sequenceHeader: false, headerLength: 5),
        AudioCase(name: "fLaC SequenceStart", bytes: [0x90] + Array("fLaC".utf8), fourCC: "fLaC", sequenceHeader: true, headerLength: 5),
        AudioCase(name: "ac-3 CodedFrames", bytes: [0x91] + Array("ac-3".utf8) + [0], fourCC: "ac-3", sequenceHeader: false, headerLength: 5),
        AudioCase(name: "ec-3 MultichannelConfig", bytes: [0x94] + Array("ec-3".utf8) + [0, 2], fourCC: "ec-3", sequenceHeader: false, headerLength: 5),
        AudioCase(name: "mp4a SequenceStart", bytes: [0x90] + Array("mp4a".utf8) + [0x12, 0x10], fourCC: "mp4a", sequenceHeader: true, headerLength: 5),
        AudioCase(name: "Multitrack OneTrack Opus track 2", bytes: [0x95, 0x01] + Array("Opus".utf8) + [2, 7], fourCC: "Opus",
                  sequenceHeader: false, headerLength: 7, trackID: 2),
        AudioCase(name: "ModEx then SequenceStart", bytes: [0x97, 0, 9, 0x00] + Array("Opus".utf8), fourCC: "Opus", sequenceHeader: true, headerLength: 8),
        AudioCase(name: "legacy AAC", bytes: [0xAF, 0, 0x12, 0x10], fourCC: nil, sequenceHeader: true, headerLength: 2),
    ]

    @Test(arguments: audioCases) func audio(_ row: AudioCase) throws {
        let payload = ByteBuffer(bytes: row.bytes)
        let header = try #require(FLVAudioTagHeader(payload: payload))
        #expect(header.fourCC == row.fourCC.map { $0.utf8.reduce(UInt32(0)) { $0 << 8 | UInt32($1) } })
        #expect(MediaFrame(kind: .audio, timestamp: 0, payload: payload).isSequenceHeader == row.sequenceHeader)
        #expect(header.headerLength == row.headerLength)
        #expect(header.trackID == row.trackID)
    }

    @Test func primaryTrackOnlyRewritesOrDrops() throws {
        let many = MediaFrame(kind: .video, timestamp: 5,
                              payload: ByteBuffer(bytes: [0x96, 0x11] + Self.hvc1 + [0, 0, 0, 5, 0, 0, 0, 0xAA, 0xBB, 1, 0, 0, 4, 0, 0, 0, 0xCC]))
        let primary = try #require(many.primaryTrackOnly)
        #expect(Array(primary.payload.readableBytesView) == [0x91] + Self.hvc1 + [0, 0, 0, 0xAA, 0xBB])
        #expect(primary.isVideoKeyframe && !primary.isMultitrack && primary.timestamp == 5)

        let second = MediaFrame(kind: .video, timestamp: 0, payload: ByteBuffer(bytes: [0x96, 0x00] + Self.hvc1 + [1, 1, 2]))
        #expect(second.primaryTrackOnly == nil)

        let audio = MediaFrame(kind: .audio, timestamp: 0, payload: ByteBuffer(bytes: [0x95, 0x00] + Array("Opus".utf8) + [0, 7]))
        #expect(audio.primaryTrackOnly.map { Array($0.payload.readableBytesView) } == [0x90] + Array("Opus".utf8) + [7])

        let plain = MediaFrame(kind: .video, timestamp: 0, payload: ByteBuffer(bytes: [0x17, 1, 0, 0, 0, 9]))
        #expect(plain.primaryTrackOnly == plain)
    }
}
