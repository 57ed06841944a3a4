import Foundation
import RTMP
import Testing

/// The README's VOD URLs played by VLC, GStreamer's `rtmp2src` and librtmp clients (rtmpdump, `rtmpsrc`), which split
/// `rtmp://host/app/mp4:exports/x.f4v` at the last slash (app `app/mp4:exports`, play `mp4:x`),
/// and `play`'s length argument (librtmp's `--stop`).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct LibrtmpVODLiveTests {
    /// rtmpdump ended the download: status 0, or 2 with "may be incomplete" when the last frame's
    /// timestamp is under 99.9% of the duration in onMetaData (its own heuristic: the last frame
    /// starts one frame before the end).
    static func finished(_ result: ToolResult) -> Bool {
        !result.timedOut && (result.status == 0 || (result.status == 2 && result.stderr.contains("incomplete")))
    }

    @Test func rtmpdumpVLCAndGStreamerPlayTheVODURLsAsWrittenAndWithAnExplicitSplit() throws {
        let media = try VODPlaybackLiveTests.makeMedia()
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--media", media.path])
        defer { relay.stop() }
        let directory = TestDirectory.make("librtmp-vod")
        let base = "rtmp://127.0.0.1:\(port)/livestreamcast_origin"
        let source = try VODPlaybackLiveTests.counts(media.appendingPathComponent("exports/x.f4v").path)
        let flvSource = try VODPlaybackLiveTests.counts(media.appendingPathComponent("sources/clip.flv").path)

        // rtmpdump with the URLs as written (librtmp puts `mp4:exports` into the app instance).
        for (url, expected) in [("\(base)/mp4:exports/x.f4v", source), ("\(base)/flv:sources/clip.flv", flvSource),
                                ("\(base)/mp4:sources/clip.mp4", source)] {
            let output = directory.appendingPathComponent("dump-\(UUID().uuidString.prefix(6)).flv").path
            let dump = try Tools.run("rtmpdump", ["-r", url, "-o", output], timeout: 60)
            #expect(Self.finished(dump), "rtmpdump \(url): \(dump.stderr)")
            let got = try VODPlaybackLiveTests.counts(output)
            #expect(got.video == expected.video && got.audio >= expected.audio - 2, "\(url): \(got) vs \(expected)")
        }
        // The other split: the whole VOD name as the play path.
        let explicit = directory.appendingPathComponent("explicit.flv").path
        let dump = try Tools.run("rtmpdump", ["-r", base, "-a", "livestreamcast_origin", "-y", "mp4:exports/x.f4v", "-o", explicit],
                                 timeout: 60)
        #expect(Self.finished(dump), "rtmpdump -y: \(dump.stderr)")
        #expect(try VODPlaybackLiveTests.counts(explicit).video == source.video)

        // VLC (its own RTMP client) with the URL as written, to the end of the file.
        if Tools.available("cvlc") {
            chmod(directory.path, 0o777)
            let vlcOutput = directory.appendingPathComponent("vlc.ts").path
            let prefix = try JoinerTimelineLiveTests.runAsPrefix()
            let vlc = try Tools.run(prefix.first ?? "cvlc", Array(prefix.dropFirst()) + (prefix.isEmpty ? [] : ["cvlc"]) + [
                "-q", "--intf", "dummy", "\(base)/mp4:exports/x.f4v", "--sout", "#std{access=file,mux=ts,dst=\(vlcOutput)}", "vlc://quit",
            ], timeout: 60)
            #expect(!vlc.timedOut, "cvlc: \(vlc.stderr)")
            // VLC's recording leaves out a few frames before its first keyframe-aligned block.
            #expect(try VODPlaybackLiveTests.counts(vlcOutput).video >= source.video - 10)
        }

        // GStreamer: rtmp2src to its end of stream, and rtmpsrc (librtmp's split). rtmpsrc reconnects
        // and plays again when librtmp closes the connection at NetStream.Play.Stop (it does so with
        // any server), so it is read for a bounded number of 4 KiB buffers: a little over one pass.
        let rtmp2Output = directory.appendingPathComponent("rtmp2src.flv").path
        let rtmp2 = try Tools.run("gst-launch-1.0", ["-q", "rtmp2src", "location=\(base)/mp4:exports/x.f4v", "!",
                                                     "filesink", "location=\(rtmp2Output)"], timeout: 60)
        #expect(rtmp2.status == 0 && !rtmp2.timedOut, "gst-launch rtmp2src: \(rtmp2.stdout) \(rtmp2.stderr)")
        #expect(try VODPlaybackLiveTests.counts(rtmp2Output).video == source.video)
        let onePass = (try FileManager.default.attributesOfItem(atPath: explicit)[.size] as? Int) ?? 0
        let rtmpsrcOutput = directory.appendingPathComponent("rtmpsrc.flv").path
        let rtmpsrc = try Tools.run("gst-launch-1.0", ["-q", "rtmpsrc", "location=\(base)/mp4:exports/x.f4v", "num-buffers=\(onePass * 5 / 4 / 4096 + 2)",
                                                       "!", "filesink", "location=\(rtmpsrcOutput)"], timeout: 60)
        #expect(rtmpsrc.status == 0 && !rtmpsrc.timedOut, "gst-launch rtmpsrc: \(rtmpsrc.stdout) \(rtmpsrc.stderr)")
        #expect(try VODPlaybackLiveTests.counts(rtmpsrcOutput).video >= source.video, "rtmpsrc played the file through")
    }

    @Test func playsLengthArgumentEndsPlaybackThere() throws {
        let media = try VODPlaybackLiveTests.makeMedia()
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--media", media.path])
        defer { relay.stop() }
        // librtmp's --start 1 --stop 3 sends play(name, 1000, 2000).
        let player = try RTMPTestPlayer(port: port, app: "livestreamcast_origin/mp4:exports")
        player.send(CommandMessage(name: "play", transactionID: 0, arguments: [.string("mp4:x"), .number(1000), .number(2000)]), streamID: 1)
        let done = player.read(timeout: 20) { RTMPTestPlayer.statusCodes($0).contains(StatusCode.playStop) }
        #expect(done, "\(RTMPTestPlayer.statusCodes(player.messages))")
        // Video frames (not the AVC sequence header, whose AVCPacketType byte is 0).
        let video = player.messages.filter { $0.typeID == 9 && $0.payload.getInteger(at: $0.payload.readerIndex + 1, as: UInt8.self) == 1 }
            .map(\.timestamp)
        #expect(RTMPTestPlayer.dataMessages(player.messages).contains { $0.0 == "onPlayStatus" })
        // From the keyframe at 1 s up to, not including, 3 s: 50 frames at 25 fps (+ the sequence header).
        #expect(video.filter { $0 >= 1000 }.count == 50, "\(video)")
        #expect((video.max() ?? 0) < 3000, "\(video)")

        // rtmpdump --stop (it also stops by itself; the relay must end the play, status 0).
        let output = TestDirectory.make("librtmp-stop").appendingPathComponent("stop.flv").path
        let dump = try Tools.run("rtmpdump", ["-r", "rtmp://127.0.0.1:\(port)/livestreamcast_origin/mp4:exports/x.f4v",
                                              "--stop", "2", "-o", output], timeout: 60)
        #expect(Self.finished(dump), "rtmpdump --stop: \(dump.stderr)")
        let counts = try VODPlaybackLiveTests.counts(output)
        #expect((45...51).contains(counts.video), "\(counts)")
    }
}
