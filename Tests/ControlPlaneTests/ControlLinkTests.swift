import ControlLink
import ControlProtocol
import Foundation
import NIOPosix
import Synchronization
import Testing

private final class FakeDataPlane: DataPlaneCommandHandler {
    func hello() -> Hello { Hello(softwareVersion: "test", role: "origin", app: "live", rtmpListen: "127.0.0.1:1935", startedAt: Date()) }
    func snapshot() -> DataPlaneSnapshot {
        DataPlaneSnapshot(streams: [StreamSnapshot(name: "s1", state: "live")], clientCounts: DataPlaneSnapshot.counts(of: clientList()))
    }
    func clientList() -> [ClientSnapshot] {
        [ClientSnapshot(id: "c1", kind: "publisher", remoteAddress: "127.0.0.1:5000", stream: "s1", connectedSince: Date(timeIntervalSince1970: 1)),
         ClientSnapshot(id: "c2", kind: "player", remoteAddress: "127.0.0.1:5001", stream: "s1", connectedSince: Date(timeIntervalSince1970: 2))]
    }
    func execute(_ command: ControlCommand) async -> CommandOutcome {
        if case .disconnectClient(let id) = command, id == "1" { return .ok() }
        return .failed(code: "not-found", message: "no such client")
    }
}

/// Polls `condition` every 20 ms for at most `seconds` (generous: other suites may starve the
/// cooperative pool on a loaded 2-core machine; a passing run returns at once).
private func eventually(_ seconds: Double = 60, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

@Suite(.serialized) struct ControlLinkTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("lsc-link-\(UUID().uuidString.prefix(8)).sock").path
    let group = MultiThreadedEventLoopGroup.singleton
    var controlHello: Hello { Hello(softwareVersion: "test", role: "origin", startedAt: Date()) }

    @Test func clientGetsHelloSnapshotEventsAndReplies() async throws {
        let server = ControlLinkServer(path: path, handler: FakeDataPlane(), group: group, snapshotInterval: .milliseconds(100))
        try await server.start()
        let client = ControlLinkClient(path: path, group: group, hello: controlHello, commandTimeout: .seconds(2))
        let events = client.subscribe()
        let runner = Task { await client.run() }
        #expect(await eventually { client.state.connected && client.state.snapshot != nil })
        #expect(client.state.hello?.app == "live")
        #expect(client.state.snapshot?.streams.map(\.name) == ["s1"])
        let generation = client.state.generation
        #expect(await eventually { client.state.generation > generation })

        let seen = Mutex<[ControlLinkEvent]>([])
        let collector = Task { for await event in events { seen.withLock { $0.append(event) } } }
        server.emit(.streamPublished(name: "s2"))
        #expect(await eventually { seen.withLock { $0.contains(.event(.streamPublished(name: "s2"))) } })
        collector.cancel()

        #expect(await client.send(.disconnectClient(id: "1")).ok)
        let missing = await client.send(.disconnectClient(id: "9"))
        #expect(!missing.ok && missing.errorCode == "not-found")

        // The data plane goes away: commands fail fast, the view is dropped; it comes back: rebuilt.
        await server.stop()
        #expect(await eventually { !client.state.connected && client.state.snapshot == nil })
        #expect(await client.send(.disconnectClient(id: "1")).errorCode == "link-down")
        let again = ControlLinkServer(path: path, handler: FakeDataPlane(), group: group)
        try await again.start()
        #expect(await eventually { client.state.connected && client.state.snapshot != nil })
        runner.cancel()
        await runner.value
        await again.stop()
    }

    /// What the failover driver does: a command sent the moment the link says it is up is
    /// answered (the hello used to arrive before the client had stored its channel, and such a
    /// command failed as "link-down").
    @Test func aCommandSentAsSoonAsTheLinkIsUpIsAnswered() async throws {
        let server = ControlLinkServer(path: path, handler: FakeDataPlane(), group: group)
        try await server.start()
        for _ in 0..<20 {
            let client = ControlLinkClient(path: path, group: group, hello: controlHello, commandTimeout: .seconds(10))
            let events = client.subscribe()
            let runner = Task { await client.run() }
            var reply: CommandReply?
            for await event in events {
                if case .connected = event {
                    reply = await client.send(.disconnectClient(id: "1"))
                    break
                }
            }
            #expect(reply?.ok == true, "\(String(describing: reply))")
            runner.cancel()
            await runner.value
        }
        await server.stop()
    }

    @Test func serverServesControlPlaneAfterControlPlane() async throws {
        let server = ControlLinkServer(path: path, handler: FakeDataPlane(), group: group)
        try await server.start()
        for _ in 0..<3 {
            let client = ControlLinkClient(path: path, group: group, hello: controlHello)
            let runner = Task { await client.run() }
            #expect(await eventually { client.state.snapshot != nil })
            runner.cancel()
            await runner.value
        }
        await server.stop()
    }

    @Test func unknownAndOverlongLinesDoNotHurtTheServer() async throws {
        let server = ControlLinkServer(path: path, handler: FakeDataPlane(), group: group)
        try await server.start()
        // A raw peer sends garbage and an unknown message type, then a real client still works.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes)
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(connected == 0)
        let junk = Array("{\"futureMessage\":{}}\nnot json\n".utf8)
        _ = junk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        let client = ControlLinkClient(path: path, group: group, hello: controlHello)
        let runner = Task { await client.run() }
        #expect(await eventually { client.state.snapshot != nil })
        runner.cancel()
        await runner.value
        await server.stop()
    }
}
