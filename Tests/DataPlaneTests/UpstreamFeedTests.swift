import FLV
import NIOCore
import Testing
@testable import DataPlane

/// Splicing a standby upstream into a stream: at a keyframe, headers only when they changed.
@Suite struct UpstreamFeedTests {
    static func avcHeader(_ profile: UInt8, _ ts: UInt32 = 0) -> MediaFrame {
        MediaFrame(kind: .video, timestamp: ts, payload: ByteBuffer(bytes: [0x17, 0, 0, 0, 0, 1, profile, 0, 31]))
    }
    static let aacHeader = MediaFrame(kind: .audio, timestamp: 0, payload: ByteBuffer(bytes: [0xAF, 0, 0x12, 0x10]))
    static func key(_ ts: UInt32) -> MediaFrame { MediaFrame(kind: .video, timestamp: ts, payload: ByteBuffer(bytes: [0x17, 1, 0, 0, 0, 9])) }
    static func inter(_ ts: UInt32) -> MediaFrame { MediaFrame(kind: .video, timestamp: ts, payload: ByteBuffer(bytes: [0x27, 1, 0, 0, 0, 9])) }
    static func audio(_ ts: UInt32) -> MediaFrame { MediaFrame(kind: .audio, timestamp: ts, payload: ByteBuffer(bytes: [0xAF, 1, 7])) }

    @Test func aStandbyRelaysNothing() {
        var feed = UpstreamFeed()
        for frame in [Self.avcHeader(100), Self.key(0), Self.inter(40)] { #expect(feed.receive(frame).isEmpty) }
        #expect(feed.gop.map(\.timestamp) == [0, 40])
    }

    @Test func activationSplicesTheCachedGOPAtOnceWithChangedHeadersStampedAtTheKeyframe() {
        var feed = UpstreamFeed()
        for frame in [Self.avcHeader(77), Self.aacHeader, Self.key(1000), Self.audio(995), Self.inter(1040), Self.audio(1050)] {
            _ = feed.receive(frame)
        }
        // Players have the same AAC config but another SPS: only the video header is re-sent.
        let out = feed.activate(playersHave: [Self.avcHeader(100), Self.aacHeader])
        // The audio before the keyframe is left out; the next one starts with the keyframe (JoinerStart).
        #expect(out.map(\.timestamp) == [1000, 1000, 1000, 1040])
        #expect(out.first?.isSequenceHeader == true && out.first?.kind == .video)
        #expect(out.dropFirst().first?.isVideoKeyframe == true)
        #expect(feed.isSpliced)
        #expect(feed.receive(Self.inter(1080)).map(\.timestamp) == [1080])
    }

    @Test func withoutAKeyframeYetTheSpliceWaitsForTheNextOne() {
        var feed = UpstreamFeed()
        _ = feed.receive(Self.avcHeader(100))
        _ = feed.receive(Self.inter(20))
        #expect(feed.activate(playersHave: [Self.avcHeader(100)]).isEmpty)
        #expect(feed.receive(Self.audio(30)).isEmpty)
        #expect(feed.receive(Self.inter(40)).isEmpty)
        let out = feed.receive(Self.key(80))
        #expect(out.map(\.timestamp) == [80]) // identical SPS: not re-sent
        #expect(feed.receive(Self.audio(85)).map(\.timestamp) == [85])
    }

    @Test func deactivationStopsRelayingAndTheNextActivationSplicesAgain() {
        var feed = UpstreamFeed()
        _ = feed.receive(Self.key(0))
        _ = feed.activate(playersHave: [])
        feed.deactivate()
        #expect(feed.receive(Self.inter(40)).isEmpty)
        #expect(feed.activate(playersHave: []).map(\.timestamp) == [0, 40])
    }

    @Test func anAudioOnlyStreamSplicesAtAudio() {
        var feed = UpstreamFeed()
        _ = feed.receive(Self.aacHeader)
        #expect(feed.activate(playersHave: []).map(\.isSequenceHeader) == [true])
        #expect(feed.receive(Self.audio(23)).map(\.timestamp) == [23])
    }

    @Test func anOversizedGOPIsDroppedUntilTheNextKeyframe() {
        var feed = UpstreamFeed(gopLimit: 10)
        _ = feed.receive(Self.key(0))
        _ = feed.receive(Self.inter(40))
        #expect(feed.gop.isEmpty)
        _ = feed.receive(Self.key(80))
        #expect(feed.gop.map(\.timestamp) == [80])
    }
}
