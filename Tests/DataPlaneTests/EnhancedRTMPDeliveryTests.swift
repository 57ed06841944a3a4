import ControlProtocol
import FLV
import NIOCore
import Testing
@testable import DataPlane

/// E-RTMP through the hub without sockets: late joiners, per-track headers, and what players
/// with and without negotiated multitrack get.
@Suite struct EnhancedRTMPDeliveryTests {
    static let hvc1: [UInt8] = Array("hvc1".utf8)
    static let header = MediaFrame(kind: .video, timestamp: 0, payload: ByteBuffer(bytes: [0x90] + hvc1 + [1, 1, 0x60]))
    static func key(_ ts: UInt32) -> MediaFrame { MediaFrame(kind: .video, timestamp: ts, payload: ByteBuffer(bytes: [0x93] + hvc1 + [9])) }
    static func inter(_ ts: UInt32) -> MediaFrame { MediaFrame(kind: .video, timestamp: ts, payload: ByteBuffer(bytes: [0xA3] + hvc1 + [8])) }
    /// Multitrack OneTrack messages of track 1.
    static let trackOneHeader = MediaFrame(kind: .video, timestamp: 0, payload: ByteBuffer(bytes: [0x96, 0x00] + hvc1 + [1, 1, 1, 0x60]))
    static func trackOneKey(_ ts: UInt32) -> MediaFrame {
        MediaFrame(kind: .video, timestamp: ts, payload: ByteBuffer(bytes: [0x96, 0x03] + hvc1 + [1, 7]))
    }
    static let opusHeader = MediaFrame(kind: .audio, timestamp: 0, payload: ByteBuffer(bytes: [0x90] + Array("Opus".utf8) + Array("OpusHead".utf8)))

    @Test func lateJoinerGetsEveryTracksHeaderAndTheGOPOfTheFirstTrack() {
        let hub = StreamHub(events: DiscardingEventSink(), gopCacheLimit: 1 << 20)
        _ = hub.startPublishing("live", sourceID: "c1", source: StreamSource(kind: "publisher"))
        for frame in [Self.header, Self.trackOneHeader, Self.opusHeader, Self.key(0), Self.trackOneKey(0), Self.inter(40),
                      Self.key(80), Self.trackOneKey(80), Self.inter(120)] {
            hub.push(frame, stream: "live", sourceID: "c1")
        }
        let (_, initial) = hub.addPlayer(RecordingSubscriber(), to: "live")
        // Headers of track 0 (video, audio) and of track 1, then the GOP from track 0's last keyframe:
        // track 1's keyframe at 80 does not restart it.
        #expect(initial.count == 6)
        // (Headers stamped with the keyframe's time: the joiners' timeline rule, `JoinerStart`.)
        #expect(initial.prefix(3).map(\.payload) == [Self.header, Self.opusHeader, Self.trackOneHeader].map(\.payload))
        #expect(initial.prefix(3).allSatisfy { $0.timestamp == 80 })
        #expect(Array(initial.dropFirst(3)) == [Self.key(80), Self.trackOneKey(80), Self.inter(120)])
    }

    @Test func multitrackMessagesAreSelectedOncePerVariant() throws {
        let all = EncodingKey(chunkSize: 4096, streamID: 1, allTracks: true)
        let primary = EncodingKey(chunkSize: 4096, streamID: 1)
        // Track 1 only: nothing for players without multitrack.
        let onlyTrackOne = OutgoingFrame.encode(Self.trackOneKey(0), keys: [all, primary])
        #expect(onlyTrackOne.bytes(for: all) != nil)
        #expect(onlyTrackOne.bytes(for: primary) == nil)
        // Tracks 0 and 1 in one message: the primary variant carries track 0 as a single-track message.
        let both = MediaFrame(kind: .video, timestamp: 0,
                              payload: ByteBuffer(bytes: [0x96, 0x13] + Self.hvc1 + [0, 0, 0, 1, 5, 1, 0, 0, 1, 6]))
        let encoded = OutgoingFrame.encode(both, keys: [all, primary])
        let full = try #require(encoded.bytes(for: all))
        let reduced = try #require(encoded.bytes(for: primary))
        #expect(full.readableBytes > reduced.readableBytes)
        #expect(reduced.readableBytesView.suffix(6).elementsEqual([0x93] + Self.hvc1 + [5]))  // key, CodedFramesX, hvc1
        // Single-track E-RTMP passes unchanged to both (the same bytes).
        let plain = OutgoingFrame.encode(Self.key(0), keys: [all, primary])
        #expect(plain.bytes(for: all).map { Array($0.readableBytesView) } == plain.bytes(for: primary).map { Array($0.readableBytesView) })
        #expect(plain.isKeyframe)
    }
}
