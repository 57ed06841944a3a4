import ControlProtocol
import Foundation
import Testing

/// The data plane's upstream side on real sockets, driven command by command through its control
/// socket (as the control plane's failover driver does): registration and `addStream` before any
/// player, standby plays on two origins, a splice to the second origin after the first is killed,
/// with the edge player connected and its timestamps monotonic.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct UpstreamSpliceLiveTests {
    static func report(of process: TestProcess) throws -> [String: Any] {
        guard let line = process.output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw ToolError.missing("a JSON report from lsc-loadclient in: \(process.output)")
        }
        return object
    }

    @Test func edgeSplicesTheStandbyOriginInWhenTheActiveOneDies() throws {
        let (originA, portA) = try RelayFixtures.startRelay(extra: ["--control-socket", TestDirectory.make("a").appendingPathComponent("a.sock").path])
        defer { originA.stop() }
        let (originB, portB) = try RelayFixtures.startRelay(extra: ["--control-socket", TestDirectory.make("b").appendingPathComponent("b.sock").path])
        defer { originB.stop() }
        let publisherA = try RelayFixtures.startPublisher(url: RelayFixtures.url(port: portA), seconds: 60, name: "publisher-a")
        defer { publisherA.stop() }
        let publisherB = try RelayFixtures.startPublisher(url: RelayFixtures.url(port: portB), seconds: 60, name: "publisher-b")
        defer { publisherB.stop() }
        try RelayFixtures.waitForStream(url: RelayFixtures.url(port: portA))
        try RelayFixtures.waitForStream(url: RelayFixtures.url(port: portB))

        let socket = TestDirectory.make("edge").appendingPathComponent("edge.sock").path
        let (edge, edgePort) = try RelayFixtures.startRelay(role: "edge", extra: ["--control-socket", socket])
        defer { edge.stop() }
        let driver = DataPlaneDriver(socket: socket)
        try driver.waitForLink()
        try driver.send(.setIdleInterval(milliseconds: 1000))
        let a = UpstreamTarget(host: "127.0.0.1", port: portA, app: "livestreamcast_origin")
        let b = UpstreamTarget(host: "127.0.0.1", port: portB, app: "livestreamcast_origin")
        try driver.send(.connectUpstream(a))
        try driver.send(.connectUpstream(b))
        // Registration: both origins announce their stream before any player asks the edge.
        for target in [a, b] {
            try driver.waitFor("addStream from \(target.id)") { $0 == .upstreamStreamAdded(server: target.id, stream: "livestream") }
        }

        let player = try TestProcess(Binaries.path("lsc-loadclient"),
                                     [RelayFixtures.url(port: edgePort, app: "livestreamcast_edge"), "--players", "1", "--duration", "14"],
                                     name: "edge-player")
        defer { player.stop() }
        try driver.waitFor("the edge player's demand") { $0 == .streamDemanded(name: "livestream") }
        try driver.send(.play(stream: "livestream", server: a))
        try driver.send(.play(stream: "livestream", server: b))
        try driver.waitFor("play start on A") { $0 == .upstreamPlayStarted(server: a.id, stream: "livestream") }
        try driver.waitFor("play start on B") { $0 == .upstreamPlayStarted(server: b.id, stream: "livestream") }
        try driver.send(.pull(stream: "livestream", server: a))
        Thread.sleep(forTimeInterval: 4)

        originA.signal(SIGKILL)
        try driver.waitFor("A's connection lost", timeout: 5) {
            if case .upstreamDisconnected(a.id, _) = $0 { return true } else { return false }
        }
        try driver.send(.pull(stream: "livestream", server: b))
        #expect(player.waitForExit(timeout: 30))
        let report = try Self.report(of: player)
        #expect(report["stillOpen"] as? Int == 1, "the edge player stays connected: \(report)")
        #expect(report["nonMonotonic"] as? Int == 0, "timestamps stay monotonic: \(report)")
        #expect(report["firstVideoKeyframe"] as? Bool == true)
        #expect((report["maxGapMilliseconds"] as? Int ?? .max) < 2500, "media resumes at once from B: \(report)")
        #expect((report["videoFrames"] as? Int ?? 0) > 25 * 10, "\(report)")
        let statuses = report["statusSequence"] as? [String] ?? []
        #expect(!statuses.contains("NetStream.Play.UnpublishNotify"), "\(statuses)")
    }
}
