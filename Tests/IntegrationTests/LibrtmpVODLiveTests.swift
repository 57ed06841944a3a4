import Foundation
import RTMP
import Testing

/// The README's VOD URLs played by librtmp clients (rtmpdump, GStreamer's `rtmpsrc`), which split
/// `rtmp://host/app/mp4:exports/x.f4v` at the last slash (app `app/mp4:exports`, play `mp4:x`),
/// and `play`'s length argument (librtmp's `--stop`).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct LibrtmpVODLiveTests {
    @Test func rtmpdumpAndGStreamerPlayTheVODURLsAsWrittenAndWithAnExplicitSplit() throws {
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
            let dump = try Tools.run("rtmpdump", ["-q", "-r", url, "-o", output], timeout: 60)
            #expect(dump.status == 0, "rtmpdump \(url): \(dump.stderr)")
            let got = try VODPlaybackLiveTests.counts(output)
            #expect(got.video == expected.video && got.audio >= expected.audio - 2, "\(url): \(got) vs \(expected)")
        }
        // The other split: the whole VOD name as the play path.
        let explicit = directory.appendingPathComponent("explicit.flv").path
        let dump = try Tools.run("rtmpdump", ["-q", "-r", base, "-a", "livestreamcast_origin", "-y", "mp4:exports/x.f4v", "-o", explicit],
                                 timeout: 60)
        #expect(dump.status == 0, "rtmpdump -y: \(dump.stderr)")
        #expect(try VODPlaybackLiveTests.counts(explicit).video == source.video)

        // GStreamer's rtmpsrc (librtmp) with the URL as written, to its end of stream.
        let gstOutput = directory.appendingPathComponent("gst.flv").path
        let gst = try Tools.run("gst-launch-1.0", ["-q", "rtmpsrc", "location=\(base)/mp4:exports/x.f4v", "!",
                                                   "filesink", "location=\(gstOutput)"], timeout: 60)
        #expect(gst.status == 0 && !gst.timedOut, "gst-launch rtmpsrc: \(gst.stdout) \(gst.stderr)")
        #expect(try VODPlaybackLiveTests.counts(gstOutput).video == source.video)
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
        let video = player.messages.filter { $0.typeID == 9 }.map(\.timestamp)
        #expect(RTMPTestPlayer.dataMessages(player.messages).contains { $0.0 == "onPlayStatus" })
        // From the keyframe at 1 s up to, not including, 3 s: 50 frames at 25 fps (+ the sequence header).
        #expect(video.filter { $0 >= 1000 }.count == 50, "\(video)")
        #expect((video.max() ?? 0) < 3000, "\(video)")

        // rtmpdump --stop (it also stops by itself; the relay must end the play, status 0).
        let output = TestDirectory.make("librtmp-stop").appendingPathComponent("stop.flv").path
        let dump = try Tools.run("rtmpdump", ["-q", "-r", "rtmp://127.0.0.1:\(port)/livestreamcast_origin/mp4:exports/x.f4v",
                                              "--stop", "2", "-o", output], timeout: 60)
        #expect(dump.status == 0, "rtmpdump --stop: \(dump.stderr)")
        let counts = try VODPlaybackLiveTests.counts(output)
        #expect((45...51).contains(counts.video), "\(counts)")
    }
}
