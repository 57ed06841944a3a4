import Foundation
import NIOCore
import RTMP
import Testing

/// RTMP VOD playback from a real relay (`mp4:exports/…`, `mp4:sources/…`, `flv:sources/…`,
/// `mp4:dvr/…`): played with ffmpeg, ffprobe and a raw RTMP player, checked against the files.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct VODPlaybackLiveTests {
    /// A media root with `sources/clip.mp4` (6 s, 320x240 at 25 fps, a keyframe every second, no
    /// B-frames), `sources/bframes.mp4` (the same with B-frames), `sources/clip.flv` (the clip
    /// remuxed) and `exports/x.f4v` (the clip exported by `lsc-export`).
    static func makeMedia() throws -> URL {
        let media = TestDirectory.make("vod-media")
        let sources = media.appendingPathComponent("sources")
        let exports = media.appendingPathComponent("exports")
        try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: exports, withIntermediateDirectories: true)
        for (name, options) in [("clip.mp4", ["-preset", "ultrafast"]), ("bframes.mp4", ["-preset", "veryfast", "-bf", "2"])] {
            let made = try Tools.run("ffmpeg", [
                "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=6",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=6",
                "-c:v", "libx264", "-g", "25", "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", "-shortest",
            ] + options + [sources.appendingPathComponent(name).path], timeout: 60)
            try #require(made.status == 0, "ffmpeg: \(made.stderr)")
        }
        let flv = try Tools.run("ffmpeg", ["-v", "error", "-y", "-i", sources.appendingPathComponent("clip.mp4").path, "-c", "copy",
                                           sources.appendingPathComponent("clip.flv").path], timeout: 60)
        try #require(flv.status == 0, "ffmpeg: \(flv.stderr)")
        let export = try Tools.run(Binaries.path("lsc-export"), ["-o", exports.appendingPathComponent("x.f4v").path,
                                                                 sources.appendingPathComponent("clip.mp4").path + ":0:6"], timeout: 60)
        try #require(export.status == 0, "lsc-export: \(export.stderr)")
        return media
    }

    /// Video and audio packet counts and the duration of a file or URL.
    static func counts(_ path: String) throws -> (video: Int, audio: Int, duration: Double) {
        let probe = try Tools.run("ffprobe", ["-v", "error", "-count_packets", "-show_entries", "stream=codec_type,nb_read_packets",
                                              "-show_entries", "format=duration", "-of", "csv=p=0", path], timeout: 60)
        var video = 0, audio = 0
        var duration = 0.0
        for line in probe.stdout.split(separator: "\n") {
            let parts = line.split(separator: ",")
            if parts.count == 2, parts[0] == "video" { video = Int(parts[1]) ?? 0 }
            if parts.count == 2, parts[0] == "audio" { audio = Int(parts[1]) ?? 0 }
            if parts.count == 1, let value = Double(parts[0]) { duration = value }
        }
        return (video, audio, duration)
    }

    /// `ffmpeg -i rtmp://…/<name> -c copy out.flv`: the whole file arrives, paced at about real time.
    static func copy(port: Int, name: String, to output: String) throws {
        let result = try Tools.run("ffmpeg", ["-v", "error", "-y", "-rw_timeout", "10000000", "-i", RelayFixtures.url(port: port, stream: name),
                                              "-c", "copy", "-f", "flv", output], timeout: 60)
        #expect(result.status == 0, "ffmpeg: \(result.stderr)")
    }

    @Test func exportsAndClipsPlayWholeWithTheirDurationAndFrames() throws {
        let media = try Self.makeMedia()
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--media", media.path])
        defer { relay.stop() }
        let probe = try Tools.run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0",
                                              RelayFixtures.url(port: port, stream: "mp4:exports/x.f4v")], timeout: 30)
        #expect(probe.stdout.split(separator: "\n").map(String.init) == ["h264", "aac"], "\(probe.stderr)")

        for (name, file) in [("mp4:exports/x.f4v", "exports/x.f4v"), ("flv:sources/clip", "sources/clip.flv"),
                             ("mp4:sources/bframes.mp4", "sources/bframes.mp4")] {
            let output = media.appendingPathComponent("played-\(file.split(separator: "/").last ?? "x").flv").path
            try Self.copy(port: port, name: name, to: output)
            let played = try Self.counts(output)
            let original = try Self.counts(media.appendingPathComponent(file).path)
            #expect(played.video == original.video, "\(name): \(played) vs \(original)")
            #expect(abs(played.audio - original.audio) <= 1, "\(name): \(played) vs \(original)")
            if !name.contains("bframes") {
                // FLV cannot hold the edit list that hides a B-frame delay, so only files without one keep their exact duration.
                #expect(abs(played.duration - original.duration) <= 0.04, "\(name): \(played.duration) s vs \(original.duration) s")
            }
            let decode = try Tools.run("ffmpeg", ["-v", "error", "-i", output, "-f", "null", "-"], timeout: 60)
            #expect(decode.status == 0 && decode.stderr.isEmpty, "\(name): \(decode.stderr)")
        }
    }

    /// `play(name, start)` and `seek` start at the keyframe at or before the time asked for, with
    /// FMS's status sequence, and the end of the file is `Play.Complete` then `Play.Stop`.
    @Test func startAndSeekBeginAtTheKeyframeAtOrBefore() throws {
        let media = try Self.makeMedia()
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--media", media.path])
        defer { relay.stop() }
        let keyframes = try RelayFixtures.packets(of: media.appendingPathComponent("exports/x.f4v").path, stream: "v")
            .filter(\.key).map { Int(($0.dts * 1000).rounded()) }
        func keyframe(atOrBefore time: Int) -> Int { keyframes.last { $0 <= time } ?? 0 }
        try #require(keyframes.count >= 5)
        func isMedia(_ message: RTMPMessage) -> Bool {
            message.typeID == 9 && MediaFrameProbe.isFrame(message.payload)
        }

        let player = try RTMPTestPlayer(port: port)
        // getStreamLength (what Flash players ask first): the file's seconds; 0 for a live name.
        player.send(CommandMessage(name: "getStreamLength", transactionID: 3, arguments: [.string("mp4:exports/x.f4v")]))
        player.send(CommandMessage(name: "getStreamLength", transactionID: 4, arguments: [.string("livestream")]))
        func length(_ transactionID: Double) -> Double? {
            player.messages.lazy.compactMap { try? CommandMessage(message: $0) }
                .first { $0.name == "_result" && $0.transactionID == transactionID }?.arguments.first?.numberValue
        }
        #expect(player.read(timeout: 10) { _ in length(3) != nil && length(4) != nil })
        #expect(length(3).map { abs($0 - 6) < 0.05 } == true && length(4) == 0, "\(String(describing: length(3))) \(String(describing: length(4)))")
        player.play("mp4:exports/x.f4v", start: 2500)
        #expect(player.read(timeout: 10) { $0.contains(where: isMedia) })
        let first = try #require(player.messages.first(where: isMedia))
        #expect(Int(first.timestamp) == keyframe(atOrBefore: 2500) && MediaFrameProbe.isKeyframe(first.payload))
        let beforeMedia = player.messages.prefix { !isMedia($0) }
        #expect(RTMPTestPlayer.statusCodes(beforeMedia) == ["NetStream.Play.Reset", "NetStream.Play.Start"])
        let metadata = RTMPTestPlayer.dataMessages(beforeMedia).first { $0.0 == "onMetaData" }?.1
        #expect(metadata?["duration"]?.numberValue.map { abs($0 - 6) < 0.05 } == true)
        #expect(metadata?["width"]?.numberValue == 320 && metadata?["height"]?.numberValue == 240)

        let seekedAt = player.messages.count
        player.seek(4300)
        #expect(player.read(timeout: 10) { messages in
            let after = messages.dropFirst(seekedAt)
            return RTMPTestPlayer.statusCodes(after).contains("NetStream.Seek.Notify")
                && after.drop { !RTMPTestPlayer.statusCodes([$0]).contains("NetStream.Seek.Notify") }.contains(where: isMedia)
        })
        let afterNotify = player.messages.dropFirst(seekedAt).drop { !RTMPTestPlayer.statusCodes([$0]).contains("NetStream.Seek.Notify") }
        let resumed = try #require(afterNotify.first(where: isMedia))
        #expect(Int(resumed.timestamp) == keyframe(atOrBefore: 4300) && MediaFrameProbe.isKeyframe(resumed.payload))
        #expect(RTMPTestPlayer.statusCodes(afterNotify.prefix { !isMedia($0) }) == ["NetStream.Seek.Notify", "NetStream.Play.Start"])

        #expect(player.read(timeout: 15) { RTMPTestPlayer.statusCodes($0).contains("NetStream.Play.Stop") })
        #expect(RTMPTestPlayer.dataMessages(player.messages).contains { $0.0 == "onPlayStatus" && $0.1?["code"]?.stringValue == "NetStream.Play.Complete" })
        let last = try #require(player.messages.last(where: isMedia))
        #expect(last.timestamp >= 5900 && last.timestamp < 6000)
    }

    @Test func pathTricksAndUnknownNamesAreNotFound() throws {
        let media = try Self.makeMedia()
        let outside = TestDirectory.make("outside").appendingPathComponent("secret.flv")
        try FileManager.default.copyItem(at: media.appendingPathComponent("sources/clip.flv"), to: outside)
        try FileManager.default.createSymbolicLink(atPath: media.appendingPathComponent("sources/escape.flv").path, withDestinationPath: outside.path)
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--media", media.path])
        defer { relay.stop() }
        for name in ["mp4:exports/../sources/clip.mp4", "mp4:/etc/passwd", "flv:sources/escape.flv", "mp4:exports/nope.f4v",
                     "mp4:dvr/nostream", "mp4:etc/passwd", "flv:sources/.hidden"] {
            let player = try RTMPTestPlayer(port: port)
            player.play(name)
            #expect(player.read(timeout: 10) { !RTMPTestPlayer.statusCodes($0).isEmpty }, "\(name)")
            #expect(RTMPTestPlayer.statusCodes(player.messages) == ["NetStream.Play.StreamNotFound"], "\(name)")
            player.read(timeout: 0.5) { _ in false }
            #expect(!player.messages.contains { $0.typeID == 8 || $0.typeID == 9 }, "\(name)")
        }
        // Times that are not numbers a clock can hold are clamped, not trapped on.
        let hostile = try RTMPTestPlayer(port: port)
        hostile.play("mp4:sources/clip.mp4", start: .nan)
        #expect(hostile.read(timeout: 10) { RTMPTestPlayer.statusCodes($0).contains("NetStream.Play.Start") })
        for target in [Double.nan, .infinity, -1e300, 1e300] { hostile.seek(target) }
        // Each seek supersedes the one before: at least the last is answered.
        #expect(hostile.read(timeout: 10) { RTMPTestPlayer.statusCodes($0).contains("NetStream.Seek.Notify") })
        let after = try RTMPTestPlayer(port: port)
        after.play("mp4:sources/clip.mp4")
        #expect(after.read(timeout: 10) { RTMPTestPlayer.statusCodes($0).contains("NetStream.Play.Start") })
    }

    /// A stream recorded by the relay's DVR plays back as `mp4:dvr/<stream>`: a play started
    /// while the recording is being written follows it to its end (once it is no longer live),
    /// and a play afterwards gets the same frames.
    @Test func dvrRecordingPlaysBackWhileAndAfterItIsRecorded() throws {
        let media = TestDirectory.make("vod-dvr")
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--media", media.path])
        defer { relay.stop() }
        let publisher = try RelayFixtures.startPublisher(url: RelayFixtures.url(port: port), seconds: 6)
        defer { publisher.stop() }
        let segment = media.appendingPathComponent("dvr/livestream/seg-00000001.flv").path
        try waitUntil("1 s recorded", timeout: 20) {
            try FileManager.default.fileExists(atPath: segment) && RelayFixtures.packets(of: segment, stream: "v").count >= 25
        }
        let whileLive = media.appendingPathComponent("played-while-live.flv").path
        try Self.copy(port: port, name: "mp4:dvr/livestream", to: whileLive)
        #expect(publisher.waitForExit(timeout: 30))
        let recorded = try Self.counts(segment)
        let followed = try Self.counts(whileLive)
        #expect(followed.video == recorded.video && recorded.video >= 140, "\(followed) vs \(recorded)")
        #expect(abs(followed.audio - recorded.audio) <= 1, "\(followed) vs \(recorded)")

        let afterwards = media.appendingPathComponent("played-after.flv").path
        try Self.copy(port: port, name: "mp4:dvr/livestream", to: afterwards)
        let played = try Self.counts(afterwards)
        #expect(played.video == recorded.video && abs(played.audio - recorded.audio) <= 1, "\(played) vs \(recorded)")
    }
}

/// FLV video tag bodies as the relay sends them (FLV spec E.4.3.1).
enum MediaFrameProbe {
    /// An AVC frame (not a sequence header).
    static func isFrame(_ payload: ByteBuffer) -> Bool { payload.getInteger(at: payload.readerIndex + 1, as: UInt8.self) == 1 }
    static func isKeyframe(_ payload: ByteBuffer) -> Bool { payload.getInteger(at: payload.readerIndex, as: UInt8.self).map { $0 >> 4 == 1 } ?? false }
}
