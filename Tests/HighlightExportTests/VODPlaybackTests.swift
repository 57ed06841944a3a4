import FLV
import HighlightExport
import ISOBMFF
import NIOCore
import Testing

/// VOD playback's pure parts: sample → FLV frame conversion, the seek point, windowed reading,
/// pacing, and play-name parsing.
@Suite struct VODPlaybackTests {
    @Test func sequenceHeadersCarryTheConfigurationRecords() throws {
        let avc = SampleDescription.avc(AVCSampleEntry(width: 320, height: 240, decoderConfiguration: [1, 0x64, 0, 0x0D, 0xFF]))
        let video = try #require(FLVFrameConverter.sequenceHeader(avc, timestamp: 40))
        #expect(video.kind == .video && video.timestamp == 40)
        #expect(Array(video.payload.readableBytesView) == [0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x0D, 0xFF])
        #expect(video.isSequenceHeader)
        let aac = SampleDescription.aac(AACSampleEntry(sampleRate: 44100, channelCount: 2, audioSpecificConfig: [0x12, 0x10]))
        let audio = try #require(FLVFrameConverter.sequenceHeader(aac, timestamp: 0))
        #expect(Array(audio.payload.readableBytesView) == [0xAF, 0, 0x12, 0x10])
        #expect(SampleDescription(sequenceHeader: audio) == aac)
        #expect(FLVFrameConverter.sequenceHeader(.unsupported("mp4v"), timestamp: 0) == nil)
    }

    @Test func samplesBecomeTagsWithCompositionTime() {
        let key = FLVFrameConverter.frame(kind: .video, isSync: true, timestamp: 80, compositionTime: 120, payload: ByteBuffer(bytes: [0, 0, 0, 1, 0x65]))
        #expect(Array(key.payload.readableBytesView) == [0x17, 1, 0, 0, 120, 0, 0, 0, 1, 0x65])
        #expect(key.isVideoKeyframe)
        #expect(FLVVideoTagHeader(payload: key.payload)?.compositionTime == 120)
        let inter = FLVFrameConverter.frame(kind: .video, isSync: false, timestamp: 120, compositionTime: -40, payload: ByteBuffer(bytes: [9]))
        #expect(FLVVideoTagHeader(payload: inter.payload)?.compositionTime == -40)
        #expect(!inter.isVideoKeyframe)
        let huge = FLVFrameConverter.frame(kind: .video, isSync: false, timestamp: 0, compositionTime: .max, payload: ByteBuffer())
        #expect(FLVVideoTagHeader(payload: huge.payload)?.compositionTime == 0x7F_FFFF)
        let audio = FLVFrameConverter.frame(kind: .audio, isSync: true, timestamp: 23, payload: ByteBuffer(bytes: [0x21, 0x10]))
        #expect(audio.kind == .audio && Array(audio.payload.readableBytesView) == [0xAF, 1, 0x21, 0x10])
    }

    /// Reads a whole source in windows: every sample once, in timestamp order, headers first.
    @Test func readsEverySampleOnceInTimestampOrder() throws {
        let source = SyntheticSource(seconds: 4, gop: 10)
        var reader = try VODReader(source: source, start: 0)
        #expect(reader.startTimestamp == 0 && reader.shift == 0)
        var frames: [MediaFrame] = []
        for _ in 0..<20 where !reader.isFinished { frames += try reader.read(window: 700) }
        #expect(reader.isFinished)
        #expect(frames.prefix(2).allSatisfy { $0.isSequenceHeader })
        let media = frames.filter { !$0.isSequenceHeader }
        #expect(media.filter { $0.kind == .video }.count == 100)
        #expect(media.filter { $0.kind == .audio }.count == source.allSamples(track: 1).count)
        #expect(zip(frames, frames.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
        #expect(media.filter { $0.kind == .video }.map(\.timestamp) == (0..<100).map { UInt32($0 * 40) })
    }

    /// A start between keyframes plays from the keyframe before it (audio from there too).
    @Test(arguments: [(1000, 800), (800, 800), (1599, 1200), (0, 0), (-2000, 0), (99_000, 3600)])
    func startsAtTheKeyframeAtOrBeforeTheStart(start: Int, keyframe: Int) throws {
        var reader = try VODReader(source: SyntheticSource(seconds: 4, gop: 10), start: Int64(start))
        #expect(reader.startTimestamp == Int64(keyframe))
        let frames = try reader.read(window: 500)
        let firstVideo = try #require(frames.first { $0.kind == .video && !$0.isSequenceHeader })
        #expect(firstVideo.timestamp == UInt32(keyframe) && firstVideo.isVideoKeyframe)
        let firstAudio = try #require(frames.first { $0.kind == .audio && !$0.isSequenceHeader })
        #expect(Int(firstAudio.timestamp) <= keyframe && Int(firstAudio.timestamp) > keyframe - 22)
        #expect(frames.first?.isSequenceHeader == true)
    }

    /// MP4 decode times before 0 (a B-frame delay hidden by the edit list) are shifted to 0.
    @Test func negativeDecodeTimesAreShifted() throws {
        struct Delayed: ExportSampleSource {
            var base = SyntheticSource(seconds: 2, gop: 10, audio: nil)
            var tracks: [ExportTrack] { base.tracks }
            var availableDuration: Double { base.availableDuration }
            var isLive: Bool { false }
            func samples(track: Int, from start: Int64, to end: Int64) throws -> [ExportSample] {
                try base.samples(track: track, from: start + 80, to: end + 80).map {
                    var sample = $0
                    sample.decodeTime -= 80
                    sample.compositionOffset = 80
                    return sample
                }
            }
            func payload(track: Int, sample: ExportSample) throws -> ByteBuffer { try base.payload(track: track, sample: sample) }
        }
        var reader = try VODReader(source: Delayed(), start: 0)
        #expect(reader.shift == 80)
        let frames = try reader.read(window: 200).filter { !$0.isSequenceHeader }
        #expect(frames.first?.timestamp == 0)
        #expect(frames.first.flatMap { FLVVideoTagHeader(payload: $0.payload)?.compositionTime } == 80)
    }

    @Test func configurationChangesResendTheSequenceHeader() throws {
        struct TwoConfigurations: ExportSampleSource {
            var base = SyntheticSource(seconds: 2, gop: 25, audio: nil)
            let second = SampleDescription.avc(AVCSampleEntry(width: 640, height: 480, decoderConfiguration: [1, 0x4D, 0, 0x1F, 0xFF]))
            var tracks: [ExportTrack] { [ExportTrack(kind: .video, timescale: 1000, sampleDescriptions: [base.video, second])] }
            var availableDuration: Double { 2 }
            var isLive: Bool { false }
            func samples(track: Int, from start: Int64, to end: Int64) throws -> [ExportSample] {
                try base.samples(track: track, from: start, to: end).map {
                    var sample = $0
                    sample.descriptionIndex = $0.decodeTime >= 1000 ? 1 : 0
                    return sample
                }
            }
            func payload(track: Int, sample: ExportSample) throws -> ByteBuffer { try base.payload(track: track, sample: sample) }
        }
        var reader = try VODReader(source: TwoConfigurations(), start: 0)
        var frames: [MediaFrame] = []
        for _ in 0..<10 where !reader.isFinished { frames += try reader.read(window: 300) }
        let headers = frames.filter(\.isSequenceHeader)
        #expect(headers.map(\.timestamp) == [0, 1000])
        let index = try #require(frames.firstIndex { $0.timestamp == 1000 })
        #expect(frames[index].isSequenceHeader && frames[index + 1].isVideoKeyframe)
    }

    /// A recording still being written is read up to its newest frame, then continues with a
    /// newer snapshot: every frame once, none past what was written.
    @Test func followsALiveRecordingAsItGrows() throws {
        /// A DVR-like snapshot: every frame stamped at or before `newest` (ms) is written.
        struct Snapshot: ExportSampleSource {
            var base = SyntheticSource(seconds: 4, gop: 10)
            var newest: Int64
            var isLive: Bool
            var tracks: [ExportTrack] { base.tracks }
            var availableDuration: Double { Double(newest) / 1000 }
            func samples(track: Int, from start: Int64, to end: Int64) throws -> [ExportSample] {
                let timescale = Int64(tracks[track].timescale)
                return try base.samples(track: track, from: start, to: min(end, newest * timescale / 1000 + 1))
            }
            func payload(track: Int, sample: ExportSample) throws -> ByteBuffer { try base.payload(track: track, sample: sample) }
        }
        var reader = try VODReader(source: Snapshot(newest: 1990, isLive: true), start: 0)
        var frames: [MediaFrame] = []
        for _ in 0..<10 { frames += try reader.read(window: 700) }
        #expect(reader.isAtLiveEdge && !reader.isFinished)
        #expect(frames.allSatisfy { $0.timestamp < 1990 })
        reader.extend(with: Snapshot(newest: 3000, isLive: true))
        #expect(!reader.isAtLiveEdge)
        for _ in 0..<10 { frames += try reader.read(window: 700) }
        reader.extend(with: Snapshot(newest: 3960, isLive: false))
        for _ in 0..<10 where !reader.isFinished { frames += try reader.read(window: 700) }
        #expect(reader.isFinished)
        let video = frames.filter { $0.kind == .video && !$0.isSequenceHeader }.map(\.timestamp)
        #expect(video == (0..<100).map { UInt32($0 * 40) })
        let audio = frames.filter { $0.kind == .audio && !$0.isSequenceHeader }
        #expect(audio.count == SyntheticSource(seconds: 4).allSamples(track: 1).filter { $0.decodeTime <= 3960 * 48 }.count)
        #expect(frames.filter(\.isSequenceHeader).count == 2)
    }

    /// A recording whose start retention removed plays from its earliest sample, not from 0.
    @Test func startsAtTheEarliestAvailableSample() throws {
        struct Trimmed: ExportSampleSource {
            var base = SyntheticSource(seconds: 4, gop: 10)
            var tracks: [ExportTrack] { base.tracks }
            var availableDuration: Double { 4 }
            var startTime: Double { 2 }
            var isLive: Bool { false }
            func samples(track: Int, from start: Int64, to end: Int64) throws -> [ExportSample] {
                let first = 2 * Int64(tracks[track].timescale)
                return try base.samples(track: track, from: max(start, first), to: end).filter { $0.decodeTime >= first }
            }
            func payload(track: Int, sample: ExportSample) throws -> ByteBuffer { try base.payload(track: track, sample: sample) }
        }
        var reader = try VODReader(source: Trimmed(), start: 0)
        #expect(reader.startTimestamp == 2000)
        let frames = try reader.read(window: 500).filter { !$0.isSequenceHeader }
        #expect(frames.first { $0.kind == .video }?.timestamp == 2000)
    }

    @Test func metadataDescribesTheTracks() {
        let metadata = VODMetadata(source: SyntheticSource(seconds: 4))
        #expect(metadata == VODMetadata(duration: 4, width: 320, height: 240, videoCodecID: 7, audioCodecID: 10,
                                        audioSampleRate: 48000, audioChannels: 2))
    }

    @Test func pacerSendsAtRealTimeWithALead() {
        var pacer = VODPacer(lead: 500, readAhead: 2000)
        #expect(!pacer.isDue(0, now: 0) && !pacer.needsData(bufferedUntil: nil, now: 0))
        pacer.start(media: 10_000, now: 1_000_000_000)
        #expect(pacer.isDue(10_500, now: 1_000_000_000))
        #expect(!pacer.isDue(10_501, now: 1_000_000_000))
        #expect(pacer.isDue(11_500, now: 2_000_000_000))
        #expect(pacer.delay(until: 10_600, now: 1_000_000_000) == 100_000_000)
        #expect(pacer.delay(until: 10_000, now: 1_000_000_000) == 0)
        #expect(pacer.needsData(bufferedUntil: nil, now: 1_000_000_000))
        #expect(pacer.needsData(bufferedUntil: 12_499, now: 1_000_000_000))
        #expect(!pacer.needsData(bufferedUntil: 12_500, now: 1_000_000_000))
        pacer.stop()
        #expect(!pacer.isDue(0, now: 5_000_000_000) && pacer.delay(until: 0, now: 0) == nil)
        #expect(!pacer.needsData(bufferedUntil: nil, now: 5_000_000_000))
    }

    @Test(arguments: [
        ("mp4:exports/goal-1.f4v", VODName.Location.file(candidates: ["exports/goal-1.f4v"])),
        ("mp4:sources/opener.mp4?token=1", .file(candidates: ["sources/opener.mp4"])),
        ("mp4:sources/opener", .file(candidates: ["sources/opener", "sources/opener.f4v", "sources/opener.mp4"])),
        ("flv:sources/clip", .file(candidates: ["sources/clip.flv"])),
        ("sources/clip.flv", .file(candidates: ["sources/clip.flv"])),
        ("mp4:dvr/livestream", .recording(stream: "livestream")),
        ("mp4:dvr/livestream.f4v", .recording(stream: "livestream")),
    ])
    func vodNames(raw: String, location: VODName.Location) throws {
        #expect(try VODName(raw)?.location == location)
    }

    @Test func liveNamesAndRefusedNames() throws {
        #expect(try VODName("mp4:livestream.f4v") == nil)
        #expect(try VODName("livestream") == nil)
        #expect(throws: VODName.Error.notDirectoryAndFile("exports/../x.f4v")) { try VODName("mp4:exports/../x.f4v") }
        #expect(throws: VODName.Error.notDirectoryAndFile("/etc/passwd")) { try VODName("mp4:/etc/passwd") }
        #expect(throws: VODName.Error.unknownDirectory("etc")) { try VODName("mp4:etc/passwd") }
        #expect(throws: VODName.Error.badFileName("..")) { try VODName("mp4:dvr/..") }
        #expect(throws: VODName.Error.badFileName(".x.f4v.part")) { try VODName("mp4:exports/.x.f4v.part") }
        #expect(throws: VODName.Error.badFileName("")) { try VODName("mp4:exports/") }
    }

    /// librtmp/GStreamer split at the last slash: the app instance is the front of the VOD name.
    @Test(arguments: [
        ("livestreamcast_origin/mp4:exports", "mp4:x", "mp4:exports/x"),
        ("livestreamcast_origin/mp4:exports", "mp4:x.f4v", "mp4:exports/x.f4v"),
        ("livestreamcast_origin/mp4:exports?k=1", "x.f4v", "mp4:exports/x.f4v"),
        ("livestreamcast_origin/flv:sources", "clip", "flv:sources/clip"),
        ("livestreamcast_origin/mp4:dvr", "livestream", "mp4:dvr/livestream"),
        ("livestreamcast_origin/sources", "mp4:opener", "mp4:sources/opener"),
        // Left alone: no instance, an ordinary instance, a play name with its own directory.
        ("livestreamcast_origin", "mp4:exports/x.f4v", "mp4:exports/x.f4v"),
        ("livestreamcast_origin/_definst_", "livestream", "livestream"),
        ("livestreamcast_origin/mp4:exports", "mp4:sources/x", "mp4:sources/x"),
        ("livestreamcast_origin/mp4:a/b", "x", "x"),
    ])
    func appInstanceJoinsTheVODName(app: String, play: String, joined: String) throws {
        #expect(VODName.joining(app: app, play: play) == joined)
    }

    @Test func anInstanceWithAPrefixButAnUnknownDirectoryIsRefusedNotLive() throws {
        let joined = VODName.joining(app: "livestreamcast_origin/mp4:etc", play: "passwd")
        #expect(throws: VODName.Error.unknownDirectory("etc")) { try VODName(joined) }
    }
}
