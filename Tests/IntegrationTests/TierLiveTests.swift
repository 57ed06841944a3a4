import Foundation
import Testing

/// Whole topologies on loopback: real lsc-relay + lsc-control per node, host.ini, ffmpeg
/// publishing, ffmpeg/ffprobe/rtmpdump/lsc-loadclient playing at the edge.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct TierLiveTests {
    static func loadClientReport(_ process: TestProcess) throws -> [String: Any] {
        try UpstreamSpliceLiveTests.report(of: process)
    }

    @Test func originIntermediateEdgeWithOnePullForTwentyPlayers() throws {
        let origin = try TierNode(name: "origin", role: "origin", hostINI: nil, relayExtra: [], controlExtra: [])
        defer { origin.stop() }
        let publisher = try RelayFixtures.startPublisher(url: origin.url(), seconds: 60)
        defer { publisher.stop() }
        try RelayFixtures.waitForStream(url: origin.url())
        let intermediate = try TierNode(name: "intermediate", role: "intermediate", hostINI: [TierNode.group("origins", origin)],
                                        relayExtra: [], controlExtra: [])
        defer { intermediate.stop() }
        // The edge merges what its pull brings once 10 players watch (the 20 below).
        let edge = try TierNode(name: "edge", role: "edge", hostINI: [TierNode.group("intermediates", intermediate)],
                                relayExtra: ["--merge-write", "40", "--merge-write-min-players", "10"], controlExtra: [])
        defer { edge.stop() }

        // addStream travels origin → intermediate → edge before any player asks for the stream.
        try waitUntil("the edge knows the stream from addStream", timeout: 15) {
            // The publisher list, not the whole body: app names like livestreamcast_edge contain "livestream".
            let groups = try edge.get("/api/v1/topology")["groups"] as? [[String: Any]] ?? []
            return groups.contains { ($0["publishers"] as? [String] ?? []).contains("livestream") }
        }
        #expect(try edge.stream() == nil, "no player yet, so nothing is pulled")
        for (parent, what) in [(origin, "the intermediate"), (intermediate, "the edge")] {
            try waitUntil("\(what) registered with FCAddChild on \(parent.name)", timeout: 10) {
                (try parent.get("/api/v1/children")["children"] as? [Any])?.count == 1
            }
        }

        // ffprobe and rtmpdump at the edge.
        let probe = try Tools.run("ffprobe", ["-v", "error", "-rw_timeout", "10000000", "-show_entries", "stream=codec_name",
                                              "-of", "csv=p=0", edge.url()], timeout: 30)
        let codecs = probe.stdout.split(separator: "\n").map(String.init)
        #expect(Set(codecs) == ["h264", "aac"], "video and audio only, metadata not taken for a subtitle stream: \(codecs) \(probe.stderr)")
        let capture = TestDirectory.make("rtmpdump").appendingPathComponent("edge.flv").path
        _ = try Tools.run("rtmpdump", ["--live", "-q", "-r", edge.url(), "-B", "4", "-o", capture], timeout: 30)
        let packets = try RelayFixtures.packets(of: capture, stream: "v:0")
        #expect(packets.count > 25, "rtmpdump got video through two hops")
        #expect(packets.first?.key == true)
        #expect(zip(packets, packets.dropFirst()).allSatisfy { $0.dts <= $1.dts }, "monotonic dts")

        // 20 players at the edge share one pull from the intermediate, which makes one from the origin.
        let players = try TestProcess(Binaries.path("lsc-loadclient"), [edge.url(), "--players", "20", "--duration", "8"], name: "edge-players")
        defer { players.stop() }
        try waitUntil("20 players at the edge", timeout: 15) { try edge.stream()?["players"] as? Int == 20 }
        #expect(try intermediate.stream()?["players"] as? Int == 1)
        #expect(try origin.stream()?["players"] as? Int == 1)
        #expect(try edge.upstream() == intermediate.upstreamID)
        #expect(try intermediate.upstream() == origin.upstreamID)
        #expect(players.waitForExit(timeout: 30))
        let report = try Self.loadClientReport(players)
        #expect(report["keptUp"] as? Int == 20, "\(report)")
        #expect(report["firstVideoKeyframe"] as? Bool == true)
        #expect(report["nonMonotonic"] as? Int == 0)

        // The pull ends a grace period after the last player left.
        try waitUntil("the edge stops pulling after the grace period", timeout: 20) { try edge.stream() == nil }
    }

    @Test func killingTheActiveOriginSwitchesTheEdgeWithThePlayerConnected() throws {
        let originA = try TierNode(name: "origin-a", role: "origin", hostINI: nil, relayExtra: [], controlExtra: [])
        defer { originA.stop() }
        let originB = try TierNode(name: "origin-b", role: "origin", hostINI: nil, relayExtra: [], controlExtra: [])
        defer { originB.stop() }
        var publishers = [try RelayFixtures.startPublisher(url: originA.url(), seconds: 90, name: "publisher-a"),
                          try RelayFixtures.startPublisher(url: originB.url(), seconds: 90, name: "publisher-b")]
        defer { publishers.forEach { $0.stop() } }
        try RelayFixtures.waitForStream(url: originA.url())
        try RelayFixtures.waitForStream(url: originB.url())
        let edge = try TierNode(name: "edge", role: "edge", hostINI: [TierNode.group("a", originA), TierNode.group("b", originB)],
                                relayExtra: [], controlExtra: ["--idle-interval", "1s"])
        defer { edge.stop() }

        let player = try TestProcess(Binaries.path("lsc-loadclient"), [edge.url(), "--players", "1", "--duration", "22"], name: "edge-player")
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

        // The killed origin comes back (with its encoder) and rejoins at the bottom of the list.
        Thread.sleep(forTimeInterval: 2)
        try victim.restartRelay()
        publishers.append(try RelayFixtures.startPublisher(url: victim.url(), seconds: 60, name: "publisher-\(victim.name)-again"))
        try waitUntil("the restarted origin rejoins the stream's list", timeout: 20) {
            try TopologyView(edge.get("/api/v1/topology")).available("livestream") == [survivor.upstreamID, victim.upstreamID]
        }
        #expect(try edge.upstream() == survivor.upstreamID, "the edge stays on the server until the next failover")
        let failovers = try TopologyView(edge.get("/api/v1/topology")).failovers
        #expect(failovers.contains { $0.from == victim.upstreamID && $0.to == survivor.upstreamID }, "\(failovers)")

        #expect(player.waitForExit(timeout: 40))
        let report = try Self.loadClientReport(player)
        #expect(report["stillOpen"] as? Int == 1, "the player is never dropped: \(report)")
        #expect(report["nonMonotonic"] as? Int == 0, "\(report)")
        #expect((report["maxGapMilliseconds"] as? Int ?? .max) < 2500, "\(report)")
        #expect(!((report["statusSequence"] as? [String]) ?? []).contains("NetStream.Play.UnpublishNotify"))
    }

    @Test func hostINIReloadKeepsPlayersPlayingAndABadFileIsRejected() throws {
        let origin = try TierNode(name: "origin", role: "origin", hostINI: nil, relayExtra: [], controlExtra: [])
        defer { origin.stop() }
        let publisher = try RelayFixtures.startPublisher(url: origin.url(), seconds: 60)
        defer { publisher.stop() }
        try RelayFixtures.waitForStream(url: origin.url())
        let good = TierNode.group("origins", origin)
        let edge = try TierNode(name: "edge", role: "edge", hostINI: [good], relayExtra: [], controlExtra: [])
        defer { edge.stop() }
        let hostINI = edge.directory.appendingPathComponent("host.ini")
        let player = try TestProcess(Binaries.path("lsc-loadclient"), [edge.url(), "--players", "1", "--duration", "12"], name: "edge-player")
        defer { player.stop() }
        try waitUntil("the edge relays the stream", timeout: 15) { try edge.upstream() == origin.upstreamID }
        let groupCount = { (try edge.get("/api/v1/topology")["groups"] as? [Any])?.count }

        // A bad file is refused with its line, and the running configuration is kept.
        try "# comment\n\(good)\nspare 127.0.0.1:1;127.0.0.1:notaport livestreamcast_origin\n".write(to: hostINI, atomically: true, encoding: .utf8)
        let refused = try ControlAPILiveTests.curl("http://127.0.0.1:\(edge.httpPort)/api/v1/topology/reload", ["-X", "POST"])
        #expect(refused.status == 422, "\(refused)")
        let lines = (ControlAPILiveTests.json(refused.body)["error"] as? [String: Any])?["lines"] as? [[String: Any]]
        #expect(lines?.first?["line"] as? Int == 3 && (lines?.first?["file"] as? String)?.hasSuffix("host.ini") == true,
                "the error names file and line: \(refused.body)")
        #expect(try groupCount() == 1)

        // A good file with one more group is taken (API), then the old one again (SIGHUP).
        try "\(good)\nspare 127.0.0.1:1;127.0.0.1:1 livestreamcast_origin\n".write(to: hostINI, atomically: true, encoding: .utf8)
        let accepted = try ControlAPILiveTests.curl("http://127.0.0.1:\(edge.httpPort)/api/v1/topology/reload", ["-X", "POST"])
        #expect(accepted.status == 200, "\(accepted)")
        #expect(try groupCount() == 2)
        try "\(good)\n".write(to: hostINI, atomically: true, encoding: .utf8)
        edge.control.signal(SIGHUP)
        try waitUntil("SIGHUP reloads host.ini", timeout: 10) { try groupCount() == 1 }
        #expect(edge.control.isRunning)
        #expect(try edge.upstream() == origin.upstreamID, "the unaffected stream stays on its upstream")

        #expect(player.waitForExit(timeout: 30))
        let report = try Self.loadClientReport(player)
        #expect(report["stillOpen"] as? Int == 1 && report["keptUp"] as? Int == 1, "\(report)")
        #expect((report["maxGapMilliseconds"] as? Int ?? .max) < 1000, "reloads do not interrupt the stream: \(report)")
    }

    @Test func aBadHostINIStopsTheControlPlaneAtStartWithFileAndLine() throws {
        let directory = TestDirectory.make("bad-host-ini")
        let file = directory.appendingPathComponent("host.ini")
        try "ok 127.0.0.1;127.0.0.1 livestreamcast_origin\nbroken-line-without-address\n".write(to: file, atomically: true, encoding: .utf8)
        let result = try Tools.run(Binaries.path("lsc-control"), ["--role", "edge", "--host-ini", file.path, "--http", "127.0.0.1:\(FreePort.next())",
                                                                  "--control-socket", directory.appendingPathComponent("x.sock").path], timeout: 20)
        #expect(result.status != 0)
        #expect((result.stdout + result.stderr).contains("\(file.path):2:"), "\(result.stdout) \(result.stderr)")
    }

    @Test func playersOfAStreamNoUpstreamHasHearStreamNotFound() throws {
        let origin = try TierNode(name: "origin", role: "origin", hostINI: nil, relayExtra: [], controlExtra: [])
        defer { origin.stop() }
        let edge = try TierNode(name: "edge", role: "edge", hostINI: [TierNode.group("o", origin)],
                                relayExtra: ["--pull-timeout", "2"], controlExtra: [])
        defer { edge.stop() }
        let report = try RelayFixtures.loadClient(url: edge.url("nosuchstream"), players: 1, duration: 5)
        let statuses = report["statusSequence"] as? [String] ?? []
        #expect(statuses.first == "NetStream.Play.Reset" && statuses.last == "NetStream.Play.StreamNotFound", "\(statuses)")
        #expect(report["stillOpen"] as? Int == 1, "the player stays attached in case the stream turns up")
    }

    @Test func aChildWithTheWrongClusterSecretIsRefused() throws {
        let secrets = TestDirectory.make("secrets")
        let right = secrets.appendingPathComponent("right").path
        let wrong = secrets.appendingPathComponent("wrong").path
        try "right-secret\n".write(toFile: right, atomically: true, encoding: .utf8)
        try "wrong-secret\n".write(toFile: wrong, atomically: true, encoding: .utf8)
        let origin = try TierNode(name: "origin", role: "origin", hostINI: nil, relayExtra: ["--cluster-secret-file", right], controlExtra: [])
        defer { origin.stop() }
        let intruder = try TierNode(name: "intruder", role: "edge", hostINI: [TierNode.group("o", origin)],
                                    relayExtra: ["--cluster-secret-file", wrong], controlExtra: [])
        defer { intruder.stop() }
        let member = try TierNode(name: "member", role: "edge", hostINI: [TierNode.group("o", origin)],
                                  relayExtra: ["--cluster-secret-file", right], controlExtra: [])
        defer { member.stop() }
        try waitUntil("the member registers", timeout: 15) { (try origin.get("/api/v1/children")["children"] as? [Any])?.count == 1 }
        try waitUntil("the intruder is refused", timeout: 15) { origin.relay.output.contains("wrong cluster secret") }
        Thread.sleep(forTimeInterval: 2)
        #expect((try origin.get("/api/v1/children")["children"] as? [Any])?.count == 1, "only the member is a child")
        #expect(intruder.relay.output.contains("refused FCAddChild"))
    }

    @Test func anEdgePullsFromNginxRTMP() throws {
        let nginx = try NginxRTMP.start()
        defer { nginx.stop() }
        let url = "rtmp://127.0.0.1:\(nginx.port)/live/livestream"
        let publisher = try RelayFixtures.startPublisher(url: url, seconds: 60, name: "publisher-nginx")
        defer { publisher.stop() }
        try RelayFixtures.waitForStream(url: url)
        let edge = try TierNode(name: "edge", role: "edge", hostINI: ["nginx 127.0.0.1:\(nginx.port);127.0.0.1:\(nginx.port) live"],
                                relayExtra: [], controlExtra: [])
        defer { edge.stop() }
        let probe = try Tools.run("ffprobe", ["-v", "error", "-rw_timeout", "15000000", "-show_entries", "stream=codec_name",
                                              "-of", "csv=p=0", edge.url()], timeout: 40)
        #expect(probe.stdout.contains("h264"), "\(probe.stdout) \(probe.stderr)")
        #expect(try edge.upstream() == "127.0.0.1:\(nginx.port)/live")
    }
}

/// The parts of `GET /api/v1/topology` the live tests read.
struct TopologyView {
    struct Failover { var stream: String; var from: String?; var to: String? }
    let json: [String: Any]
    init(_ json: [String: Any]) { self.json = json }

    func available(_ stream: String) -> [String]? {
        (json["streams"] as? [[String: Any]])?.first { $0["name"] as? String == stream }?["available"] as? [String]
    }

    var failovers: [Failover] {
        ((json["failovers"] as? [[String: Any]]) ?? []).map {
            Failover(stream: $0["stream"] as? String ?? "", from: $0["from"] as? String, to: $0["to"] as? String)
        }
    }
}
