import ControlProtocol
import FLV
import NIOCore
import Testing
@testable import DataPlane

/// What a late joiner (or a spliced-in feed) starts with: audio not after the first video DTS,
/// headers at the keyframe.
@Suite struct JoinerStartTests {
    typealias F = UpstreamFeedTests
    static let metadata = MediaFrame(kind: .scriptData, timestamp: 0, payload: ByteBuffer(bytes: [2, 0, 0]))

    @Test func theFirstAudioStartsWithTheKeyframeAndHeadersGoAtTheKeyframe() {
        // The B-frame case from VLC: keyframe DTS 4000, first AAC frame in the GOP at 4004.
        let out = JoinerStart.frames(configuration: [Self.metadata, F.avcHeader(77), F.aacHeader],
                                     gop: [F.key(4000), F.inter(4040), F.audio(4004), F.audio(4027)], latestTimestamp: 4040)
        #expect(out.map(\.timestamp) == [4000, 4000, 4000, 4000, 4000, 4040, 4027])
        #expect(out.map(\.kind) == [.scriptData, .video, .audio, .video, .audio, .video, .audio])
        #expect(out[3].isVideoKeyframe)
    }

    @Test func audioAlreadyAtOrBeforeTheKeyframeIsLeftAlone() {
        let at = JoinerStart.frames(configuration: [F.aacHeader], gop: [F.key(1000), F.audio(1000), F.inter(1040)], latestTimestamp: nil)
        #expect(at.map(\.timestamp) == [1000, 1000, 1000, 1040])
        let before = JoinerStart.frames(configuration: [], gop: [F.key(1000), F.audio(990), F.inter(1040)], latestTimestamp: nil)
        #expect(before.map(\.timestamp) == [1000, 990, 1040])
    }

    @Test func aStreamsFirstGOPWhoseAudioStartsLateStartsItWithTheKeyframe() {
        // ffmpeg's AAC encoder starts about 57 ms after the first keyframe.
        let out = JoinerStart.frames(configuration: [F.aacHeader], gop: [F.key(0), F.inter(40), F.audio(57), F.inter(80), F.audio(80)],
                                     latestTimestamp: nil)
        #expect(out.map(\.timestamp) == [0, 0, 0, 40, 80, 80])
    }

    @Test func aGapInTheAudioIsNotClosed() {
        let out = JoinerStart.frames(configuration: [], gop: [F.key(1000), F.inter(1040), F.audio(1150)], latestTimestamp: nil)
        #expect(out.map(\.timestamp) == [1000, 1040, 1150])
    }

    @Test func videoOnlyGOPsAreLeftAsTheyAre() {
        let video = JoinerStart.frames(configuration: [], gop: [F.key(1000), F.inter(1040)], latestTimestamp: nil)
        #expect(video.map(\.timestamp) == [1000, 1040])
    }

    @Test func headersGoAtTheLatestTimestampWithoutMediaAndUnchangedWithoutAny() {
        let late = JoinerStart.frames(configuration: [F.aacHeader], gop: [], latestTimestamp: 7000)
        #expect(late.map(\.timestamp) == [7000])
        let fresh = JoinerStart.frames(configuration: [F.avcHeader(77, 0)], gop: [], latestTimestamp: nil)
        #expect(fresh.map(\.timestamp) == [0])
    }
}

/// The hub applies the rule to a late joiner.
@Suite struct LiveStreamJoinerTests {
    typealias F = StreamHubTests

    @Test func theHubsJoinerGetsAudioFromTheKeyframe() {
        let hub = StreamHub(events: EventCollector(), gopCacheLimit: 1 << 20)
        #expect(hub.startPublishing("live", sourceID: "c1", source: StreamSource(kind: "publisher", clientId: "c1")))
        for frame in [F.avcHeader, F.key(0), F.audio(21), F.inter(40), F.audio(63), F.key(80), F.inter(120), F.audio(85)] {
            hub.push(frame, stream: "live", sourceID: "c1")
        }
        let (_, initial) = hub.addPlayer(RecordingSubscriber(), to: "live")
        #expect(initial.map(\.timestamp) == [80, 80, 80, 120])
        #expect(initial.map(\.kind) == [.video, .video, .audio, .video])
    }
}
