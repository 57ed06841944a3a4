import Foundation
import Testing
import Failover
import Topology

/// The seed's failover rules, one by one, with no sockets and no clocks.
@Suite struct FailoverStateMachineTests {
    // server1 and server2 have a primary and a secondary; server3 is a group of one.
    static let hostINI = """
        server1 10.0.0.1;10.0.0.2 livestreamcast_origin
        server2 10.0.0.5;10.0.0.6 livestreamcast_origin
        server3 10.0.0.7;10.0.0.7 livestreamcast_origin
        """
    let groups: [ServerGroup]
    let p1: UpstreamServer, s1: UpstreamServer, p2: UpstreamServer, p3: UpstreamServer
    let t0 = Date(timeIntervalSince1970: 1_000_000)

    init() throws {
        groups = try HostINIParser.parse(Self.hostINI, file: "host.ini").get().groups
        p1 = groups[0].primaryServer
        s1 = groups[0].secondaryServer
        p2 = groups[1].primaryServer
        p3 = groups[2].primaryServer
    }

    /// A machine connected to the three primaries, a player waiting for "livestream", and every
    /// primary having answered play in the order given.
    private func streaming(answers: [UpstreamServer]) -> FailoverStateMachine {
        var machine = FailoverStateMachine(groups: groups)
        _ = machine.handle(.start, at: t0)
        for server in [p1, p2, p3] { _ = machine.handle(.connected(server), at: t0) }
        _ = machine.handle(.streamDemanded("livestream"), at: t0)
        for server in answers { _ = machine.handle(.playStarted(server, stream: "livestream"), at: t0) }
        return machine
    }

    @Test func connectsToEveryGroupPrimaryFirst() {
        var machine = FailoverStateMachine(groups: groups)
        let actions = machine.handle(.start, at: t0)
        #expect(actions == [
            .connect(group: "server1", server: p1),
            .connect(group: "server2", server: p2),
            .connect(group: "server3", server: p3),
        ])
        #expect(machine.groups.map(\.state) == [.connecting(p1), .connecting(p2), .connecting(p3)])
    }

    @Test func sendsPlayToEveryUpstreamThatHasTheStream() {
        var machine = FailoverStateMachine(groups: groups)
        _ = machine.handle(.start, at: t0)
        for server in [p1, p2, p3] { _ = machine.handle(.connected(server), at: t0) }
        _ = machine.handle(.streamAdded(p1, stream: "livestream"), at: t0)
        _ = machine.handle(.streamAdded(p2, stream: "other"), at: t0)
        _ = machine.handle(.streamAdded(p3, stream: "livestream"), at: t0)
        #expect(machine.groups.map(\.publishers) == [["livestream"], ["other"], ["livestream"]])

        let actions = machine.handle(.streamDemanded("livestream"), at: t0)
        #expect(actions == [.play(stream: "livestream", server: p1), .play(stream: "livestream", server: p3)])
        // A second player asking changes nothing.
        #expect(machine.handle(.streamDemanded("livestream"), at: t0) == [])
    }

    @Test func aStockUpstreamThatAnnouncesNothingIsAskedToPlayAnything() {
        var machine = FailoverStateMachine(groups: [groups[2]])
        _ = machine.handle(.start, at: t0)
        _ = machine.handle(.connected(p3), at: t0)
        #expect(machine.handle(.streamDemanded("anything"), at: t0) == [.play(stream: "anything", server: p3)])
    }

    @Test func streamsFromTheFirstToAnswerAndListsTheRestInAnswerOrder() {
        var machine = streaming(answers: [])
        #expect(machine.handle(.playStarted(p2, stream: "livestream"), at: t0) == [.streamFrom(stream: "livestream", server: p2)])
        #expect(machine.handle(.playStarted(p3, stream: "livestream"), at: t0) == [])
        #expect(machine.handle(.playStarted(p1, stream: "livestream"), at: t0) == [])
        let sources = machine.sources(of: "livestream")
        #expect(sources?.active == p2)
        #expect(sources?.available == [p2, p3, p1])
        #expect(sources?.pending.isEmpty == true)
        #expect(machine.history.map(\.reason) == ["first to answer"])
    }

    @Test func switchesToTheNextServerInTheListAfterTheIdleInterval() {
        var machine = streaming(answers: [p2, p3, p1])
        let later = t0.addingTimeInterval(5)
        #expect(machine.handle(.idle(p2, stream: "livestream"), at: later)
                == [.streamFrom(stream: "livestream", server: p3)])
        #expect(machine.sources(of: "livestream")?.available == [p3, p1])
        let record = machine.history.last
        #expect(record == FailoverRecord(time: later, stream: "livestream", from: p2, to: p3, reason: "idle for 1000 ms"))
    }

    @Test func idleReasonUsesTheConfiguredInterval() {
        var machine = FailoverStateMachine(groups: groups, configuration: FailoverConfiguration(idleInterval: .milliseconds(250)))
        _ = machine.handle(.start, at: t0)
        _ = machine.handle(.connected(p1), at: t0)
        _ = machine.handle(.streamDemanded("s"), at: t0)
        _ = machine.handle(.playStarted(p1, stream: "s"), at: t0)
        _ = machine.handle(.idle(p1, stream: "s"), at: t0)
        #expect(machine.history.last?.reason == "idle for 250 ms")
    }

    @Test func idleOnAServerThatIsNotActiveOnlyDropsItFromTheList() {
        var machine = streaming(answers: [p1, p2, p3])
        #expect(machine.handle(.idle(p2, stream: "livestream"), at: t0) == [])
        #expect(machine.sources(of: "livestream")?.active == p1)
        #expect(machine.sources(of: "livestream")?.available == [p1, p3])
    }

    @Test func staysOnAServerUntilTheNextFailover() {
        var machine = streaming(answers: [p1, p2])
        // p1 fails: p2 takes over. p1 comes back: it joins the bottom, p2 stays active.
        _ = machine.handle(.disconnected(p1, reason: "closed"), at: t0)
        #expect(machine.sources(of: "livestream")?.active == p2)
        _ = machine.handle(.retryDue(group: "server1"), at: t0)
        #expect(machine.handle(.connected(p1), at: t0) == [.play(stream: "livestream", server: p1)])
        #expect(machine.handle(.playStarted(p1, stream: "livestream"), at: t0) == [])
        #expect(machine.sources(of: "livestream")?.active == p2)
        #expect(machine.sources(of: "livestream")?.available == [p2, p1])
        // The next failover goes down the list, not back to the "better" primary first.
        _ = machine.handle(.playStarted(p3, stream: "livestream"), at: t0)
        #expect(machine.sources(of: "livestream")?.available == [p2, p1, p3])
        #expect(machine.handle(.idle(p2, stream: "livestream"), at: t0)
                == [.streamFrom(stream: "livestream", server: p1)])
    }

    @Test func lostConnectionFailsOverAtOnceAndRetriesThePrimaryThreeTimesThenTheSecondary() {
        var machine = streaming(answers: [p1, p2])
        let actions = machine.handle(.disconnected(p1, reason: "connection reset"), at: t0)
        #expect(actions == [
            .scheduleRetry(group: "server1", delay: .seconds(1)),
            .streamFrom(stream: "livestream", server: p2),
        ])
        #expect(machine.history.last?.reason == "upstream disconnected: connection reset")

        var attempts: [UpstreamServer] = []
        for _ in 0..<8 {
            let retry = machine.handle(.retryDue(group: "server1"), at: t0)
            guard case .connect(_, let server)? = retry.first else { Issue.record("no connect"); return }
            attempts.append(server)
            #expect(machine.handle(.connectFailed(server, reason: "refused"), at: t0)
                    == [.scheduleRetry(group: "server1", delay: .seconds(1))])
        }
        #expect(attempts == [p1, p1, p1, s1, p1, p1, p1, s1])
        #expect(machine.groups[0].totalRetries == 8)
        #expect(machine.groups[0].failedAttempts == 8)
    }

    @Test func lastErrorSaysWhyAndClearsOnceConnected() {
        var machine = streaming(answers: [p1, p2])
        _ = machine.handle(.disconnected(p1, reason: "connection reset"), at: t0)
        #expect(machine.groups[0].lastError == "upstream disconnected: connection reset")
        guard case .connect(_, let server)? = machine.handle(.retryDue(group: "server1"), at: t0).first else {
            Issue.record("no connect")
            return
        }
        _ = machine.handle(.connectFailed(server, reason: "TLS handshake failed: certificate verify failed"), at: t0)
        #expect(machine.groups[0].lastError == "connect to \(server.id) failed: TLS handshake failed: certificate verify failed")
        _ = machine.handle(.retryDue(group: "server1"), at: t0)
        _ = machine.handle(.connected(p1), at: t0)
        #expect(machine.groups[0].lastError == nil)
    }

    @Test func secondaryThatAnswersRejoinsAtTheBottom() {
        var machine = streaming(answers: [p1, p2, p3])
        _ = machine.handle(.disconnected(p1, reason: "gone"), at: t0)
        for _ in 0..<3 {
            _ = machine.handle(.retryDue(group: "server1"), at: t0)
            _ = machine.handle(.connectFailed(p1, reason: "refused"), at: t0)
        }
        #expect(machine.handle(.retryDue(group: "server1"), at: t0) == [.connect(group: "server1", server: s1)])
        #expect(machine.handle(.connected(s1), at: t0) == [.play(stream: "livestream", server: s1)])
        #expect(machine.groups[0].connectedServer == s1)
        #expect(machine.groups[0].failedAttempts == 0)
        _ = machine.handle(.playStarted(s1, stream: "livestream"), at: t0)
        #expect(machine.sources(of: "livestream")?.available == [p2, p3, s1])
    }

    @Test func aGroupOfOneRetriesTheSameMachine() {
        var machine = FailoverStateMachine(groups: [groups[2]])
        _ = machine.handle(.start, at: t0)
        var attempts: [UpstreamServer] = []
        for _ in 0..<5 {
            _ = machine.handle(.connectFailed(p3, reason: "refused"), at: t0)
            if case .connect(_, let server)? = machine.handle(.retryDue(group: "server3"), at: t0).first { attempts.append(server) }
        }
        #expect(attempts == Array(repeating: p3, count: 5))
    }

    @Test func lossOfTheLastServerWaitsAndAsksTheOthersAgain() {
        var machine = streaming(answers: [p1])
        // p2 and p3 never answered; they are still pending, so nothing is re-sent to them.
        #expect(machine.handle(.idle(p1, stream: "livestream"), at: t0) == [])
        #expect(machine.sources(of: "livestream")?.active == nil)
        #expect(machine.history.last?.to == nil)
        // p2 answers: it becomes active.
        #expect(machine.handle(.playStarted(p2, stream: "livestream"), at: t0) == [.streamFrom(stream: "livestream", server: p2)])
    }

    @Test func retryDelayDoublesPerRoundOfAGroupThatStaysDownUpToTheMaximum() {
        let fixed = FailoverConfiguration(retryDelay: .seconds(1))
        #expect((0...20).map { fixed.retryDelay(afterFailedAttempts: $0) }.allSatisfy { $0 == .seconds(1) })
        let backoff = FailoverConfiguration(retryDelay: .milliseconds(250), maximumRetryDelay: .seconds(1))
        #expect((0...13).map { backoff.retryDelay(afterFailedAttempts: $0) } == [
            .milliseconds(250), .milliseconds(250), .milliseconds(250), .milliseconds(250),
            .milliseconds(500), .milliseconds(500), .milliseconds(500), .milliseconds(500),
            .seconds(1), .seconds(1), .seconds(1), .seconds(1), .seconds(1), .seconds(1),
        ])
        var machine = FailoverStateMachine(groups: [groups[0]], configuration: backoff)
        _ = machine.handle(.start, at: t0)
        var delays: [Duration] = []
        for _ in 0..<5 {
            guard case .connecting(let server) = machine.groups[0].state else { break }
            for case .scheduleRetry(_, let delay) in machine.handle(.connectFailed(server, reason: "refused"), at: t0) { delays.append(delay) }
            _ = machine.handle(.retryDue(group: "server1"), at: t0)
        }
        #expect(delays == [.milliseconds(250), .milliseconds(250), .milliseconds(250), .milliseconds(500), .milliseconds(500)])
    }

    @Test func anIdleServerThatIsTheOnlyOneLeftIsAskedAgain() {
        // An edge with one upstream group (an intermediate) whose own origin fails over: the
        // intermediate goes quiet for a while, then has the stream again.
        var machine = FailoverStateMachine(groups: [groups[2]])
        _ = machine.handle(.start, at: t0)
        _ = machine.handle(.connected(p3), at: t0)
        _ = machine.handle(.streamDemanded("livestream"), at: t0)
        _ = machine.handle(.playStarted(p3, stream: "livestream"), at: t0)
        #expect(machine.handle(.idle(p3, stream: "livestream"), at: t0) == [.play(stream: "livestream", server: p3)])
        #expect(machine.handle(.playStarted(p3, stream: "livestream"), at: t0) == [.streamFrom(stream: "livestream", server: p3)])
        // A refusal is not retried at once (that could loop at link speed).
        _ = machine.handle(.idle(p3, stream: "livestream"), at: t0)
        #expect(machine.handle(.playFailed(p3, stream: "livestream", reason: "not found"), at: t0) == [.stopPlay(stream: "livestream", server: p3)])
    }

    @Test func anIdleServerWhoseMediaComesBackRejoinsAtTheBottom() {
        var machine = streaming(answers: [p1, p2, p3])
        // p1 hangs: its play is kept open (no stopPlay), the next server takes over.
        #expect(machine.handle(.idle(p1, stream: "livestream"), at: t0) == [.streamFrom(stream: "livestream", server: p2)])
        // Media flows again on p1's play (the data plane reports it as an answer): bottom of the list.
        #expect(machine.handle(.playStarted(p1, stream: "livestream"), at: t0) == [])
        #expect(machine.sources(of: "livestream")?.available == [p2, p3, p1])
        #expect(machine.sources(of: "livestream")?.active == p2)
    }

    @Test func playRefusedOrStreamRemovedDropsTheServer() {
        var machine = streaming(answers: [])
        _ = machine.handle(.playFailed(p1, stream: "livestream", reason: "NetStream.Play.StreamNotFound"), at: t0)
        _ = machine.handle(.playStarted(p2, stream: "livestream"), at: t0)
        _ = machine.handle(.playStarted(p3, stream: "livestream"), at: t0)
        #expect(machine.sources(of: "livestream")?.available == [p2, p3])
        _ = machine.handle(.streamAdded(p2, stream: "livestream"), at: t0)
        #expect(machine.handle(.streamRemoved(p2, stream: "livestream"), at: t0)
                == [.stopPlay(stream: "livestream", server: p2), .streamFrom(stream: "livestream", server: p3)])
        #expect(machine.history.last?.reason == "stream removed upstream")
        // The publisher comes back on p2: it is asked again and joins the bottom.
        #expect(machine.handle(.streamAdded(p2, stream: "livestream"), at: t0) == [.play(stream: "livestream", server: p2)])
    }

    @Test func abandonedStreamStopsAndLateAnswersAreIgnored() {
        var machine = streaming(answers: [p1])
        #expect(machine.handle(.streamAbandoned("livestream"), at: t0) == [.stopStream("livestream")])
        #expect(machine.handle(.playStarted(p2, stream: "livestream"), at: t0) == [])
        #expect(machine.sources(of: "livestream") == nil)
        #expect(machine.handle(.streamAbandoned("livestream"), at: t0) == [])
    }

    @Test func eventsForUnknownServersAreIgnored() {
        var machine = streaming(answers: [p1])
        let stranger = UpstreamServer(address: HostAddress(host: "192.0.2.1"), app: "x")
        #expect(machine.handle(.connected(stranger), at: t0) == [])
        #expect(machine.handle(.disconnected(stranger, reason: "x"), at: t0) == [])
        #expect(machine.handle(.streamAdded(stranger, stream: "livestream"), at: t0) == [])
        #expect(machine.handle(.retryDue(group: "nope"), at: t0) == [])
        #expect(machine.sources(of: "livestream")?.active == p1)
    }

    @Test func keepsTheLastHundredFailovers() {
        var machine = streaming(answers: [p1, p2])
        for index in 0..<150 {
            let (from, to) = index.isMultiple(of: 2) ? (p1, p2) : (p2, p1)
            _ = machine.handle(.idle(from, stream: "livestream"), at: t0.addingTimeInterval(Double(index)))
            _ = machine.handle(.playStarted(from, stream: "livestream"), at: t0)
            #expect(machine.sources(of: "livestream")?.active == to)
        }
        #expect(machine.history.count == 100)
        #expect(machine.history.last?.time == t0.addingTimeInterval(149))
        #expect(machine.history.first?.time == t0.addingTimeInterval(50))
    }

    @Test func reloadKeepsUnchangedGroupsDropsRemovedOnesAndConnectsNewOnes() throws {
        var machine = streaming(answers: [p1, p2])
        let reloaded = try HostINIParser.parse("""
            server1 10.0.0.1;10.0.0.2 livestreamcast_origin
            server4 10.0.0.9;10.0.0.9 livestreamcast_origin
            """, file: "host.ini").get().groups
        let p4 = reloaded[1].primaryServer
        let actions = machine.handle(.reconfigure(reloaded), at: t0)
        #expect(actions == [.disconnect(p2), .disconnect(p3), .connect(group: "server4", server: p4)])
        #expect(machine.groups.map(\.group.label) == ["server1", "server4"])
        #expect(machine.groups[0].connectedServer == p1)
        // The stream fed by server1 keeps playing; p2 is gone from its list.
        #expect(machine.sources(of: "livestream")?.active == p1)
        #expect(machine.sources(of: "livestream")?.available == [p1])
    }

    @Test func reloadRemovingTheActiveGroupFailsOver() throws {
        var machine = streaming(answers: [p2, p1])
        let reloaded = try HostINIParser.parse("server1 10.0.0.1;10.0.0.2 livestreamcast_origin", file: "h").get().groups
        let actions = machine.handle(.reconfigure(reloaded), at: t0)
        #expect(actions.contains(.streamFrom(stream: "livestream", server: p1)))
        #expect(machine.history.last?.reason == "group server2 removed from host.ini")
    }
}
