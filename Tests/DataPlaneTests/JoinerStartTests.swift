import ControlProtocol
import FLV
import NIOCore
import Testing
@testable import DataPlane

/// What a late joiner gets first: audio never after the first video DTS, headers at the start.
@Suite struct JoinerStartTests {
    typealias F = UpstreamFeedTests
    static let metadata = MediaFrame(kind: .scriptData, timestamp: 0, payload: ByteBuffer(bytes: [2, 0, 0]))

    @Test func audioBeforeTheKeyframeLeadsWhenTheGOPsAudioStartsLater() {
        // The B-frame case from VLC: keyframe DTS 4000, first AAC frame in the GOP at 4004.
        let out = JoinerStart.frames(configuration: [Self.metadata, F.avcHeader(77), F.aacHeader],
                                     gop: [F.key(4000), F.audio(4004), F.inter(4040)],
                                     audioLeadIn: F.audio(3981), latestTimestamp: 4040)
        #expect(out.map(\.timestamp) == [3981, 3981, 3981, 3981, 4000, 4004, 4040])
        #expect(out.map(\.kind) == [.scriptData, .video, .audio, .audio, .video, .audio, .video])
        let firstAudio = out.first { $0.kind == .audio && !$0.isSequenceHeader }
        let firstVideo = out.first { $0.isVideoKeyframe }
        #expect(firstAudio!.timestamp <= firstVideo!.timestamp)
    }

    @Test func noLeadInWhenTheGOPAlreadyHasAudioAtTheKeyframe() {
        let out = JoinerStart.frames(configuration: [F.aacHeader], gop: [F.key(1000), F.audio(1000), F.inter(1040)],
                                     audioLeadIn: F.audio(979), latestTimestamp: nil)
        #expect(out.map(\.timestamp) == [1000, 1000, 1000, 1040])
    }

    @Test func aLeadInAfterTheKeyframeIsNotUsed() {
        let out = JoinerStart.frames(configuration: [], gop: [F.key(1000), F.audio(1010)], audioLeadIn: F.audio(1005), latestTimestamp: nil)
        #expect(out.map(\.timestamp) == [1000, 1010])
    }

    @Test func headersGoAtTheLatestTimestampWithoutMediaAndUnchangedWithoutAny() {
        let late = JoinerStart.frames(configuration: [F.aacHeader], gop: [], audioLeadIn: nil, latestTimestamp: 7000)
        #expect(late.map(\.timestamp) == [7000])
        let fresh = JoinerStart.frames(configuration: [F.avcHeader(77, 0)], gop: [], audioLeadIn: F.audio(5), latestTimestamp: nil)
        #expect(fresh.map(\.timestamp) == [0])
    }
}

/// The hub applies the rule: a joiner's first audio is the one received just before the keyframe.
@Suite struct LiveStreamJoinerTests {
    typealias F = StreamHubTests

    @Test func theHubsJoinerGetsTheAudioLeadIn() {
        let hub = StreamHub(events: EventCollector(), gopCacheLimit: 1 << 20)
        #expect(hub.startPublishing("live", sourceID: "c1", source: StreamSource(kind: "publisher", clientId: "c1")))
        for frame in [F.avcHeader, F.key(0), F.audio(21), F.inter(40), F.audio(63), F.key(80), F.audio(85), F.inter(120)] {
            hub.push(frame, stream: "live", sourceID: "c1")
        }
        let (_, initial) = hub.addPlayer(RecordingSubscriber(), to: "live")
        #expect(initial.map(\.timestamp) == [63, 63, 80, 85, 120])
        #expect(initial.map(\.kind) == [.video, .audio, .video, .audio, .video])
    }
}
