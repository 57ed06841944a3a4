import FLV
import Foundation
import RTMP
import Testing

/// Enhanced RTMP through real programs: a current ffmpeg (9, from the imageio-ffmpeg wheel)
/// publishes HEVC + Opus, AV1 + AAC and two video tracks; ffmpeg 9 plays at the origin and
/// through an edge; Debian's ffmpeg 5.1 (no E-RTMP) must get an answer, not a hang.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct EnhancedRTMPLiveTests {
    /// The static ffmpeg 9 of the imageio-ffmpeg wheel (installed by scripts/install-deps.sh).
    static func modernFFmpeg() throws -> String {
        let found = try Tools.run("python3", ["-c", "import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())"], timeout: 30)
        let path = found.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard found.status == 0, FileManager.default.isExecutableFile(atPath: path) else {
            throw ToolError.missing("imageio-ffmpeg (ffmpeg 9): \(found.stderr)")
        }
        return path
    }

    /// ffmpeg 9 publishing testsrc2 (+ a sine) with the given codec arguments, paced in real time.
    static func publish(_ url: String, video: [String], audio: [String], seconds: Int = 40, extraInputs: [String] = [],
                        maps: [String] = []) throws -> TestProcess {
        try TestProcess(try modernFFmpeg(), [
            "-hide_banner", "-nostats", "-loglevel", "warning", "-re",
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
        ] + extraInputs + maps + video + audio + ["-t", "\(seconds)", "-f", "flv", url], name: "ffmpeg9-publisher")
    }

    static let hevc = ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "keyint=25:min-keyint=25:log-level=error"]
    static let av1 = ["-c:v", "libsvtav1", "-preset", "12", "-g", "25", "-svtav1-params", "lp=1"]
    static let opus = ["-c:a", "libopus", "-b:a", "48k"]
    static let aac = ["-c:a", "aac", "-b:a", "48k"]

    /// Plays `url` with ffmpeg 9 for `seconds` into an MP4 file (stream copy; Matroska has no dts) and returns
    /// the codecs ffprobe sees and the video packets (dts, keyframe).
    static func play(_ url: String, seconds: Int = 3) throws -> (codecs: [String], video: [(dts: Double, key: Bool)], audio: [(dts: Double, key: Bool)]) {
        let file = TestDirectory.make("ertmp-play").appendingPathComponent("capture.mp4").path
        let run = try Tools.run(try modernFFmpeg(), ["-v", "error", "-rw_timeout", "8000000", "-i", url, "-c", "copy", "-t", "\(seconds)", "-y", file],
                                timeout: 40)
        try #require(!run.timedOut && run.status == 0, "ffmpeg 9 plays \(url): \(run.stderr)")
        let probe = try Tools.run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", file], timeout: 30)
        let codecs = probe.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        return (codecs, try RelayFixtures.packets(of: file, stream: "v"), try RelayFixtures.packets(of: file, stream: "a"))
    }

    static func expectPlayable(_ url: String, video: String, audio: String) throws {
        let played = try play(url)
        #expect(played.codecs.contains(video) && played.codecs.contains(audio), "\(url): \(played.codecs)")
        #expect(played.video.first?.key == true, "first video frame is a keyframe at \(url)")
        #expect(played.video.count >= 25, "\(played.video.count) video frames at \(url)")
        #expect(played.audio.count >= 25, "\(played.audio.count) audio frames at \(url)")
        for track in [played.video, played.audio] {
            #expect(zip(track, track.dropFirst()).allSatisfy { $0.dts <= $1.dts }, "monotonic timestamps at \(url)")
        }
    }

    @Test(arguments: [("hevc", "opus"), ("av1", "aac")])
    func modernCodecsPlayAtTheOriginAndThroughAnEdge(_ codecs: (video: String, audio: String)) throws {
        let origin = try TierNode(name: "origin", role: "origin", hostINI: nil, relayExtra: [], controlExtra: [])
        defer { origin.stop() }
        let publisher = try Self.publish(origin.url(), video: codecs.video == "hevc" ? Self.hevc : Self.av1,
                                         audio: codecs.audio == "opus" ? Self.opus : Self.aac)
        defer { publisher.stop() }
        try waitUntil("the origin reports \(codecs)", timeout: 30) {
            let stream = try origin.stream()
            return (stream?["video"] as? [String: Any])?["codec"] as? String == codecs.video
                && (stream?["audio"] as? [String: Any])?["codec"] as? String == codecs.audio
        }
        // Picture size from the HEVC SPS / AV1 sequence header of the sequence start, Opus facts from its OpusHead.
        let stream = try #require(try origin.stream())
        #expect((stream["video"] as? [String: Any])?["width"] as? Int == 320, "\(stream)")
        #expect((stream["video"] as? [String: Any])?["height"] as? Int == 240, "\(stream)")
        #expect((stream["audio"] as? [String: Any])?["sampleRate"] as? Int == 48000, "\(stream)")
        try Self.expectPlayable(origin.url(), video: codecs.video, audio: codecs.audio)

        let edge = try TierNode(name: "edge", role: "edge", hostINI: [TierNode.group("origins", origin)], relayExtra: [], controlExtra: [])
        defer { edge.stop() }
        try Self.expectPlayable(edge.url(), video: codecs.video, audio: codecs.audio)
        // Browser delivery carries the new codecs too: fMP4 and LL-HLS at the edge (hvc1/av01 and
        // Opus/mp4a sample entries from the same sequence headers).
        let media = try #require(RelayFixtures.httpPort(ofRelay: edge.rtmpPort))
        for path in [".mp4", "/index.m3u8"] {
            try Self.expectPlayable("http://127.0.0.1:\(media)/\(edge.app)/livestream\(path)", video: codecs.video, audio: codecs.audio)
        }
        // The API learns the stream's source from the data plane's periodic snapshot (the pull stays for its grace period).
        try waitUntil("the edge reports the origin as the source", timeout: 10) { try edge.upstream() == origin.upstreamID }
    }

    @Test(arguments: ["hevc", "av1"])
    func failoverSplicesTheOtherOriginInForAPlayer(_ codec: String) throws {
        let video = codec == "hevc" ? Self.hevc : Self.av1
        let originA = try TierNode(name: "origin-a", role: "origin", hostINI: nil, relayExtra: [], controlExtra: [])
        defer { originA.stop() }
        let originB = try TierNode(name: "origin-b", role: "origin", hostINI: nil, relayExtra: [], controlExtra: [])
        defer { originB.stop() }
        let publishers = [try Self.publish(originA.url(), video: video, audio: Self.aac, seconds: 60),
                          try Self.publish(originB.url(), video: video, audio: Self.aac, seconds: 60)]
        defer { publishers.forEach { $0.stop() } }
        for origin in [originA, originB] {
            try waitUntil("\(origin.name) has the \(codec) stream", timeout: 30) {
                (try origin.stream()?["video"] as? [String: Any])?["codec"] as? String == codec
            }
        }
        let edge = try TierNode(name: "edge", role: "edge", hostINI: [TierNode.group("a", originA), TierNode.group("b", originB)],
                                relayExtra: [], controlExtra: ["--idle-interval", "1s"])
        defer { edge.stop() }
        let player = try TestProcess(Binaries.path("lsc-loadclient"), [edge.url(), "--players", "1", "--duration", "14"], name: "edge-player")
        defer { player.stop() }
        var active: String?
        try waitUntil("the edge relays the stream", timeout: 15) {
            active = try edge.upstream()
            return active != nil
        }
        Thread.sleep(forTimeInterval: 3)
        let (victim, survivor) = active == originA.upstreamID ? (originA, originB) : (originB, originA)
        victim.relay.signal(SIGKILL)
        try waitUntil("the edge switches to the other origin", timeout: 5) { try edge.upstream() == survivor.upstreamID }
        #expect(player.waitForExit(timeout: 30))
        let report = try UpstreamSpliceLiveTests.report(of: player)
        #expect(report["stillOpen"] as? Int == 1, "the player is never dropped: \(report)")
        #expect(report["firstVideoKeyframe"] as? Bool == true, "\(report)")
        #expect(report["nonMonotonic"] as? Int == 0, "\(report)")
        #expect((report["maxGapMilliseconds"] as? Int ?? .max) < 2500, "\(report)")
    }

    @Test func legacyFFmpegGetsAnAnswerNotAHang() throws {
        let (relay, port) = try RelayFixtures.startRelay()
        defer { relay.stop() }
        let url = RelayFixtures.url(port: port)
        let publisher = try Self.publish(url, video: Self.hevc, audio: Self.opus)
        defer { publisher.stop() }
        try waitUntil("the relay serves the HEVC stream", timeout: 30) {
            let run = try Tools.run(try Self.modernFFmpeg(), ["-v", "error", "-rw_timeout", "5000000", "-i", url, "-t", "0.5", "-f", "null", "-"], timeout: 20)
            return run.status == 0
        }
        // Debian's ffmpeg 5.1 knows no E-RTMP: it must say so at once (codec "not implemented")
        // rather than wait silently for frames it cannot see. It then keeps reading (and
        // complaining) until it is stopped, which is its own choice.
        let legacy = try Tools.run("ffmpeg", ["-v", "warning", "-rw_timeout", "10000000", "-i", url, "-t", "2", "-f", "null", "-"], timeout: 8)
        #expect(legacy.stderr.contains("is not implemented") || (!legacy.timedOut && legacy.status != 0),
                "ffmpeg 5.1 got no answer: status \(legacy.status), \(legacy.stderr.prefix(400))")
    }

    @Test func hevcDVRRangeExportsCleanly() throws {
        let media = TestDirectory.make("ertmp-dvr")
        let socket = media.appendingPathComponent("c.sock").path
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--control-socket", socket, "--media", media.path])
        defer { relay.stop() }
        let httpPort = FreePort.next()
        let control = try ControlAPILiveTests.startControl(socket: socket, httpPort: httpPort, extra: ["--media", media.path])
        defer { control.stop() }
        let api = "http://127.0.0.1:\(httpPort)/api/v1"
        let publisher = try Self.publish(RelayFixtures.url(port: port), video: Self.hevc, audio: Self.opus, seconds: 8)
        defer { publisher.stop() }
        try waitUntil("5 s recorded", timeout: 30) {
            let list = ControlAPILiveTests.json(try ControlAPILiveTests.curl("\(api)/dvr").body)["recordings"] as? [[String: Any]] ?? []
            return (list.first { $0["stream"] as? String == "livestream" }?["duration"] as? Double ?? 0) >= 5
        }
        let created = try ControlAPILiveTests.curl("\(api)/exports", ["-X", "POST", "--data",
            #"{"output": "hevc.mp4", "items": [{"source": "dvr", "name": "livestream", "start": 1, "end": 4}]}"#])
        #expect(created.status == 202, "\(created.body)")
        let id = try #require(ControlAPILiveTests.json(created.body)["id"] as? String)
        var final: [String: Any] = [:]
        try waitUntil("export done", timeout: 30) {
            final = ControlAPILiveTests.json(try ControlAPILiveTests.curl("\(api)/exports/\(id)").body)
            return ["done", "failed", "cancelled"].contains(final["state"] as? String ?? "")
        }
        #expect(final["state"] as? String == "done", "\(final)")
        let output = media.appendingPathComponent("exports/hevc.mp4").path
        let probe = try Tools.run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,codec_tag_string", "-of", "csv=p=0", output], timeout: 30)
        #expect(probe.stdout.contains("hevc,hvc1") && probe.stdout.contains("opus,Opus"), "\(probe.stdout) \(probe.stderr)")
        let decode = try Tools.run(try Self.modernFFmpeg(), ["-v", "error", "-i", output, "-f", "null", "-"], timeout: 60)
        #expect(decode.status == 0 && decode.stderr.isEmpty && decode.stdout.isEmpty, "ffmpeg -v error printed: \(decode.stderr)")
        let duration = Double(try Tools.run("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", output],
                                            timeout: 30).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(duration >= 2.9 && duration <= 3.2, "3 s range exported as \(duration) s")

        // The export plays back as VOD, still HEVC + Opus (E-RTMP frames).
        let vod = try Self.play(RelayFixtures.url(port: port, stream: "mp4:exports/hevc.mp4"), seconds: 2)
        #expect(vod.codecs.contains("hevc") && vod.codecs.contains("opus"), "\(vod.codecs)")
        #expect(vod.video.first?.key == true)
    }

    @Test func multitrackReachesAMultitrackReaderAndOthersGetTheFirstTrack() throws {
        let (relay, port) = try RelayFixtures.startRelay()
        defer { relay.stop() }
        let publisher = try Self.publish(RelayFixtures.url(port: port), video: ["-c:v", "libx264", "-preset", "ultrafast", "-g", "25"],
                                         audio: Self.aac, extraInputs: ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=25"],
                                         maps: ["-map", "0:v", "-map", "2:v", "-map", "1:a"])
        defer { publisher.stop() }
        func videoTracks(_ messages: [RTMPMessage]) -> Set<UInt8> {
            Set(messages.filter { $0.typeID == 9 }.compactMap { FLVVideoTagHeader(payload: $0.payload)?.trackID })
        }
        var multitrackReader: RTMPTestPlayer?
        try waitUntil("a multitrack reader sees both video tracks", timeout: 30) {
            let reader = try RTMPTestPlayer(port: port, enhanced: .relay)
            reader.play("livestream")
            multitrackReader = reader
            return reader.read(timeout: 5) { videoTracks($0) == [0, 1] }
        }
        #expect(multitrackReader != nil)
        let legacy = try RTMPTestPlayer(port: port)
        legacy.play("livestream")
        legacy.read(timeout: 5) { $0.filter { $0.typeID == 9 }.count >= 50 }
        let video = legacy.messages.filter { $0.typeID == 9 }
        #expect(video.count >= 50)
        #expect(videoTracks(legacy.messages) == [0], "a player that did not negotiate multitrack gets the first track only")
        #expect(video.allSatisfy { !MediaFrame(kind: .video, timestamp: 0, payload: $0.payload).isMultitrack })
    }
}
