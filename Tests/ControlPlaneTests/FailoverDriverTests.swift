import ControlLink
import ControlProtocol
import Failover
import Foundation
import Synchronization
import Testing
import Topology
@testable import ControlPlane

/// A data plane that records the commands it gets and refuses those `refuses` picks.
final class FakeCommandSender: ControlCommandSender {
    let sent = Mutex<[ControlCommand]>([])
    let refuses: @Sendable (ControlCommand) -> Bool

    init(refuses: @escaping @Sendable (ControlCommand) -> Bool = { _ in false }) { self.refuses = refuses }

    func send(_ command: ControlCommand) async -> CommandReply {
        sent.withLock { $0.append(command) }
        return refuses(command) ? CommandReply(id: 0, ok: false, errorCode: "failed", message: "refused") : CommandReply(id: 0, ok: true)
    }

    var commands: [ControlCommand] { sent.withLock { $0 } }
}

/// Polls `condition` every 5 ms for at most `seconds` (a passing run returns at once).
func pollUntil(_ seconds: Double = 30, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

/// The driver between the failover machine and a fake data plane: which commands go out, in
/// which order, for which events; no sockets.
@Suite struct FailoverDriverTests {
    // server1 has a primary and a secondary; server2 is a group of one.
    static let groups = (try? HostINIParser.parse("""
        server1 10.0.0.1;10.0.0.2 livestreamcast_origin
        server2 10.0.0.5;10.0.0.5 livestreamcast_origin
        """, file: "host.ini").get().groups) ?? []
    let p1 = groups[0].primaryServer
    let s1 = groups[0].secondaryServer
    let p2 = groups[1].primaryServer
    static let hello = Hello(softwareVersion: "test", role: "edge", startedAt: Date(timeIntervalSince1970: 0))

    private func target(_ server: UpstreamServer) -> UpstreamTarget { UpstreamTarget(server) }

    private func makeDriver(_ sender: FakeCommandSender, retryDelay: Duration = .seconds(60)) -> (FailoverDriver, Task<Void, Never>) {
        let driver = FailoverDriver(groups: Self.groups,
                                    configuration: FailoverConfiguration(idleInterval: .milliseconds(1500), retryDelay: retryDelay),
                                    sender: sender, now: { Date(timeIntervalSince1970: 1_800_000_000) })
        return (driver, Task { await driver.run() })
    }

    /// Waits until `count` commands were sent and returns them.
    private func sent(_ sender: FakeCommandSender, count: Int) async -> [ControlCommand] {
        _ = await pollUntil { sender.commands.count >= count }
        return sender.commands
    }

    @Test func linkUpSetsTheIdleIntervalResetsAndConnectsEveryGroup() async {
        let sender = FakeCommandSender()
        let (driver, runner) = makeDriver(sender)
        defer { runner.cancel() }
        driver.handle(.connected(Self.hello))
        #expect(await sent(sender, count: 4) == [
            .setIdleInterval(milliseconds: 1500), .resetUpstreams,
            .connectUpstream(target(p1)), .connectUpstream(target(p2)),
        ])
        #expect(driver.linkUp)
        #expect(driver.machine.groups.map(\.state) == [.connecting(p1), .connecting(p2)])
    }

    @Test func eventsBecomeCommands() async {
        let sender = FakeCommandSender()
        let (driver, runner) = makeDriver(sender)
        defer { runner.cancel() }
        driver.handle(.connected(Self.hello))
        _ = await sent(sender, count: 4)
        for event: DataPlaneEvent in [
            .upstreamConnected(server: p1.id), .upstreamConnected(server: p2.id),
            .upstreamStreamAdded(server: p1.id, stream: "live"), .upstreamStreamAdded(server: p2.id, stream: "live"),
            .streamDemanded(name: "live"),
        ] { driver.handle(.event(event)) }
        #expect(await sent(sender, count: 6).dropFirst(4) == [
            .play(stream: "live", server: target(p1)), .play(stream: "live", server: target(p2)),
        ])

        // The first to answer feeds the players; a later answer only joins the list.
        driver.handle(.event(.upstreamPlayStarted(server: p2.id, stream: "live")))
        driver.handle(.event(.upstreamPlayStarted(server: p1.id, stream: "live")))
        #expect(await sent(sender, count: 7).dropFirst(6) == [.pull(stream: "live", server: target(p2))])
        #expect(driver.machine.sources(of: "live")?.available == [p2, p1])

        // Idle: pull from the next in the list (the idle play stays open to notice a comeback).
        driver.handle(.event(.upstreamIdle(server: p2.id, stream: "live")))
        #expect(await sent(sender, count: 8).dropFirst(7) == [.pull(stream: "live", server: target(p1))])
        #expect(driver.machine.history.last?.reason == "idle for 1500 ms")

        // The last player leaves: stop relaying.
        driver.handle(.event(.streamAbandoned(name: "live")))
        #expect(await sent(sender, count: 9).dropFirst(8) == [.stopPull(stream: "live")])

        // Events about servers not in host.ini, and events failover does not follow, send nothing.
        driver.handle(.event(.upstreamConnected(server: "10.9.9.9:1935/other")))
        driver.handle(.event(.streamPublished(name: "x")))
        try? await Task.sleep(for: .milliseconds(50))
        #expect(sender.commands.count == 9)
    }

    @Test func refusedConnectsAreRetriedThePrimaryThreeTimesThenTheSecondary() async {
        let primary = target(p1)
        let sender = FakeCommandSender { $0 == .connectUpstream(primary) }
        let (driver, runner) = makeDriver(sender, retryDelay: .milliseconds(10))
        defer { runner.cancel() }
        driver.handle(.connected(Self.hello))
        _ = await pollUntil { sender.commands.contains(.connectUpstream(target(s1))) }
        let connects = sender.commands.filter {
            if case .connectUpstream(let server) = $0 { server.host.hasPrefix("10.0.0.1") || server.host.hasPrefix("10.0.0.2") } else { false }
        }
        #expect(connects == [.connectUpstream(primary), .connectUpstream(primary), .connectUpstream(primary),
                             .connectUpstream(target(s1))])
        #expect(driver.machine.groups[0].state == .connecting(s1))
        #expect(driver.machine.groups[0].totalRetries == 3)
    }

    @Test func aLostConnectionWhileConnectingIsAFailedAttempt() async {
        let sender = FakeCommandSender()
        let (driver, runner) = makeDriver(sender)
        defer { runner.cancel() }
        driver.handle(.connected(Self.hello))
        _ = await sent(sender, count: 4)
        driver.handle(.event(.upstreamDisconnected(server: p1.id, reason: "connection refused")))
        #expect(driver.machine.groups[0].state == .waitingToRetry(next: p1))
        #expect(driver.machine.groups[0].failedAttempts == 1)
        // Once connected, a loss restarts from the primary without counting an attempt.
        driver.handle(.event(.upstreamConnected(server: p2.id)))
        driver.handle(.event(.upstreamDisconnected(server: p2.id, reason: "closed")))
        #expect(driver.machine.groups[1].state == .waitingToRetry(next: p2))
        #expect(driver.machine.groups[1].failedAttempts == 0)
    }

    @Test func aRefusedPullFailsOverToTheNextServer() async {
        let sender = FakeCommandSender { if case .pull(_, let server) = $0 { server.host == "10.0.0.1" } else { false } }
        let (driver, runner) = makeDriver(sender)
        defer { runner.cancel() }
        driver.handle(.connected(Self.hello))
        _ = await sent(sender, count: 4)
        for event: DataPlaneEvent in [
            .upstreamConnected(server: p1.id), .upstreamConnected(server: p2.id), .streamDemanded(name: "live"),
            .upstreamPlayStarted(server: p1.id, stream: "live"), .upstreamPlayStarted(server: p2.id, stream: "live"),
        ] { driver.handle(.event(event)) }
        #expect(await sent(sender, count: 9).dropFirst(6) == [
            .pull(stream: "live", server: target(p1)),
            .stopPlay(stream: "live", server: target(p1)), .pull(stream: "live", server: target(p2)),
        ])
        #expect(driver.machine.sources(of: "live")?.active == p2)
    }

    @Test func whileTheLinkIsDownNothingIsSentAndItsReturnStartsAFreshMachineKeepingHistory() async {
        let sender = FakeCommandSender()
        let (driver, runner) = makeDriver(sender)
        defer { runner.cancel() }
        driver.handle(.connected(Self.hello))
        _ = await sent(sender, count: 4)
        for event: DataPlaneEvent in [
            .upstreamConnected(server: p1.id), .streamDemanded(name: "live"), .upstreamPlayStarted(server: p1.id, stream: "live"),
        ] { driver.handle(.event(event)) }
        _ = await sent(sender, count: 6)
        #expect(driver.machine.history.count == 1)

        driver.handle(.disconnected)
        driver.handle(.event(.upstreamConnected(server: p2.id)))
        driver.handle(.event(.streamDemanded(name: "other")))
        try? await Task.sleep(for: .milliseconds(50))
        #expect(sender.commands.count == 6)
        #expect(!driver.linkUp)
        #expect(driver.machine.groups.map(\.state) == [.idle, .idle])

        driver.handle(.connected(Self.hello))
        #expect(await sent(sender, count: 10).dropFirst(6) == [
            .setIdleInterval(milliseconds: 1500), .resetUpstreams,
            .connectUpstream(target(p1)), .connectUpstream(target(p2)),
        ])
        #expect(driver.machine.history.map(\.reason) == ["first to answer"])
        #expect(driver.machine.streams.isEmpty)
    }

    @Test func reconfigureDisconnectsRemovedGroupsAndConnectsNewOnes() async throws {
        let sender = FakeCommandSender()
        let (driver, runner) = makeDriver(sender)
        defer { runner.cancel() }
        driver.handle(.connected(Self.hello))
        _ = await sent(sender, count: 4)
        driver.handle(.event(.upstreamConnected(server: p1.id)))
        driver.handle(.event(.upstreamConnected(server: p2.id)))
        let third = try HostINIParser.parse("server3 10.0.0.9;10.0.0.9 livestreamcast_origin", file: "host.ini").get().groups
        driver.reconfigure([Self.groups[0]] + third)
        #expect(await sent(sender, count: 6).dropFirst(4) == [
            .disconnectUpstream(target(p2)), .connectUpstream(target(third[0].primaryServer)),
        ])
        #expect(driver.machine.groups.map(\.group.label) == ["server1", "server3"])
        #expect(driver.machine.groups[0].state == .connected(p1))

        // While the link is down a reload only changes the groups the next link starts with.
        driver.handle(.disconnected)
        driver.reconfigure(Self.groups)
        driver.handle(.connected(Self.hello))
        #expect(await sent(sender, count: 10).dropFirst(6) == [
            .setIdleInterval(milliseconds: 1500), .resetUpstreams,
            .connectUpstream(target(p1)), .connectUpstream(target(p2)),
        ])
    }

    @Test func actionsMapToCommands() {
        #expect(FailoverAction.connect(group: "g", server: p1).command == .connectUpstream(UpstreamTarget(host: "10.0.0.1", port: 1935, app: "livestreamcast_origin")))
        #expect(FailoverAction.scheduleRetry(group: "g", delay: .seconds(1)).command == nil)
        #expect(FailoverAction.stopStream("s").command == .stopPull(stream: "s"))
        let v6 = UpstreamServer(address: HostAddress(host: "::1", port: 19400), app: "app/inst")
        #expect(UpstreamTarget(v6).id == v6.id)
    }
}
