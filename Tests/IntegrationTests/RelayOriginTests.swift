import Foundation
import Testing

/// Live tests of an origin relay with real ffmpeg, ffprobe and rtmpdump on loopback.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct RelayOriginTests {
    @Test func ffmpegPublishesAndStockPlayersReceiveMonotonicMediaStartingAtAKeyframe() throws {
        let (relay, port) = try RelayFixtures.startRelay()
        defer { relay.stop() }
        let url = RelayFixtures.url(port: port)
        let publisher = try RelayFixtures.startPublisher(url: url, seconds: 25)
        defer { publisher.stop() }
        try RelayFixtures.waitForStream(url: url)

        // ffprobe sees H.264 and AAC, also through the seed's mp4:NAME.f4v spelling.
        let probe = try Tools.run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0",
                                              RelayFixtures.url(port: port, stream: "mp4:livestream.f4v")], timeout: 20)
        #expect(probe.stdout.contains("h264"))
        #expect(probe.stdout.contains("aac"))

        // A late joiner with ffmpeg: 5 s copied; first video packet is a keyframe; dts monotonic.
        let dir = TestDirectory.make("origin")
        let capture = dir.appendingPathComponent("capture.flv").path
        let copy = try Tools.run("ffmpeg", ["-v", "error", "-i", url, "-t", "5", "-c", "copy", "-f", "flv", capture], timeout: 30)
        #expect(copy.status == 0, "ffmpeg player failed: \(copy.stderr)")
        let video = try RelayFixtures.packets(of: capture, stream: "v")
        #expect(video.count >= 100)
        #expect(video.first?.key == true)
        #expect(zip(video, video.dropFirst()).allSatisfy { $0.dts <= $1.dts })
        let audio = try RelayFixtures.packets(of: capture, stream: "a")
        #expect(audio.count > 100)
        #expect(zip(audio, audio.dropFirst()).allSatisfy { $0.dts <= $1.dts })

        // rtmpdump --live receives media too.
        let dump = dir.appendingPathComponent("dump.flv").path
        _ = try Tools.run("rtmpdump", ["--live", "-q", "-r", url, "-B", "3", "-o", dump], timeout: 20)
        let dumped = try RelayFixtures.packets(of: dump, stream: "v")
        #expect(dumped.count >= 50)
        #expect(dumped.first?.key == true)
        #expect(zip(dumped, dumped.dropFirst()).allSatisfy { $0.dts <= $1.dts })
    }

    @Test func secondPublisherGetsBadNameWhileTheFirstKeepsStreaming() throws {
        let (relay, port) = try RelayFixtures.startRelay()
        defer { relay.stop() }
        let url = RelayFixtures.url(port: port)
        let first = try RelayFixtures.startPublisher(url: url, seconds: 20, name: "first-publisher")
        defer { first.stop() }
        try RelayFixtures.waitForStream(url: url)
        let second = try RelayFixtures.startPublisher(url: url, seconds: 20, name: "second-publisher")
        defer { second.stop() }
        #expect(second.waitForExit(timeout: 15), "second publisher was not refused")
        #expect(second.process.terminationStatus != 0)
        #expect(relay.output.contains("refusing second publisher"))
        // The first publisher is undisturbed: players still get media from it.
        let report = try RelayFixtures.loadClient(url: url, players: 2, duration: 4)
        #expect(report["keptUp"] as? Int == 2)
        #expect(first.isRunning)
    }

    @Test func playersStayConnectedThroughAPublisherRestart() throws {
        let (relay, port) = try RelayFixtures.startRelay()
        defer { relay.stop() }
        let url = RelayFixtures.url(port: port)
        let publisher = try RelayFixtures.startPublisher(url: url, seconds: 5)
        try RelayFixtures.waitForStream(url: url)
        let restarter = Thread {
            _ = publisher.waitForExit(timeout: 20)
            usleep(1_500_000)
            let again = try? RelayFixtures.startPublisher(url: url, seconds: 6, name: "restarted-publisher")
            _ = again?.waitForExit(timeout: 20)
        }
        restarter.start()
        let report = try RelayFixtures.loadClient(url: url, players: 1, duration: 14)
        let statuses = report["statusSequence"] as? [String] ?? []
        #expect(report["stillOpen"] as? Int == 1, "player was disconnected: \(report)")
        #expect(statuses.contains("NetStream.Play.UnpublishNotify"))
        #expect(statuses.contains("NetStream.Play.PublishNotify"))
        if let unpublished = statuses.firstIndex(of: "NetStream.Play.UnpublishNotify") {
            #expect(statuses[unpublished...].contains("NetStream.Play.PublishNotify"))
        }
        #expect(report["nonMonotonic"] as? Int == 0)
        #expect((report["videoFrames"] as? Int ?? 0) > 200, "media did not resume: \(report)")
    }

    @Test func threePublishersTimesTwentyPlayers() throws {
        let (relay, port) = try RelayFixtures.startRelay()
        defer { relay.stop() }
        let names = ["cam1", "cam2", "cam3"]
        let publishers = try names.map { try RelayFixtures.startPublisher(url: RelayFixtures.url(port: port, stream: $0), seconds: 25, size: "160x120", name: "pub-\($0)") }
        defer { publishers.forEach { $0.stop() } }
        for name in names { try RelayFixtures.waitForStream(url: RelayFixtures.url(port: port, stream: name)) }
        let loaders = try names.map { name in
            try TestProcess(Binaries.path("lsc-loadclient"), [RelayFixtures.url(port: port, stream: name), "--players", "20", "--duration", "6"],
                            name: "load-\(name)")
        }
        for loader in loaders {
            #expect(loader.waitForExit(timeout: 40))
            let json = loader.output.split(separator: "\n").last.map(String.init) ?? ""
            let report = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
            #expect(report["playersWithVideo"] as? Int == 20, "\(json)")
            #expect(report["firstVideoKeyframe"] as? Bool == true)
            #expect(report["nonMonotonic"] as? Int == 0)
        }
    }

    /// Past `--merge-write-min-players`, a stream's frames reach players in merge windows (one
    /// write per player per window): stock players still get every frame, in order.
    @Test func aStreamWithManyPlayersIsDeliveredInMergeWindowsWithEveryFrameInOrder() throws {
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--merge-write", "40", "--merge-write-min-players", "10"])
        defer { relay.stop() }
        let url = RelayFixtures.url(port: port)
        let publisher = try RelayFixtures.startPublisher(url: url, seconds: 40)
        defer { publisher.stop() }
        try RelayFixtures.waitForStream(url: url)
        let players = try TestProcess(Binaries.path("lsc-loadclient"), [url, "--players", "20", "--duration", "12"], name: "merged-players")
        defer { players.stop() }
        try waitUntil("20 players attached (the stream is past the merge threshold)", timeout: 20) {
            relay.output.components(separatedBy: "playing").count - 1 >= 20
        }

        let capture = TestDirectory.make("merged").appendingPathComponent("capture.flv").path
        let copy = try Tools.run("ffmpeg", ["-v", "error", "-i", url, "-t", "5", "-c", "copy", "-f", "flv", capture], timeout: 30)
        #expect(copy.status == 0, "ffmpeg player failed: \(copy.stderr)")
        let video = try RelayFixtures.packets(of: capture, stream: "v")
        #expect(video.count >= 100, "5 s of 25 fps")
        #expect(video.first?.key == true)
        // Every frame: no gap of more than one frame interval in the decode times.
        #expect(zip(video, video.dropFirst()).allSatisfy { $1.dts >= $0.dts && $1.dts - $0.dts < 0.07 })
        let audio = try RelayFixtures.packets(of: capture, stream: "a")
        #expect(zip(audio, audio.dropFirst()).allSatisfy { $0.dts <= $1.dts })

        #expect(players.waitForExit(timeout: 40))
        let report = try UpstreamSpliceLiveTests.report(of: players)
        #expect(report["keptUp"] as? Int == 20, "\(report)")
        #expect(report["firstVideoKeyframe"] as? Bool == true)
        #expect(report["nonMonotonic"] as? Int == 0)
    }

    @Test func connectToAnotherAppIsRejected() throws {
        let (relay, port) = try RelayFixtures.startRelay()
        defer { relay.stop() }
        let report = try RelayFixtures.loadClient(url: "rtmp://127.0.0.1:\(port)/someoneelse/livestream", players: 1, duration: 2)
        #expect((report["statuses"] as? [String] ?? []).contains("NetConnection.Connect.Rejected"))
        #expect(report["stillOpen"] as? Int == 0)
    }
}
