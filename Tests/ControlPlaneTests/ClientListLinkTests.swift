import AdminAPI
import ControlLink
import ControlProtocol
import Dispatch
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import ControlPlane

/// A data plane that counts how often its client list is built; `delay` (seconds) makes it slow to build.
private final class ListingDataPlane: DataPlaneCommandHandler {
    let protocolVersion: Int
    let delay: TimeInterval
    let listsBuilt = Mutex(0)
    static let clients = [
        ClientSnapshot(id: "c1", kind: "publisher", remoteAddress: "127.0.0.1:5000", stream: "s1", connectedSince: Date(timeIntervalSince1970: 1)),
        ClientSnapshot(id: "c2", kind: "player", remoteAddress: "127.0.0.1:5001", stream: "s1", connectedSince: Date(timeIntervalSince1970: 2)),
    ]

    init(protocolVersion: Int = ControlProtocolVersion.current, delay: TimeInterval = 0) {
        self.protocolVersion = protocolVersion; self.delay = delay
    }

    func hello() -> Hello {
        Hello(protocolVersion: protocolVersion, softwareVersion: "test", role: "origin", app: "live", startedAt: Date())
    }

    func snapshot() -> DataPlaneSnapshot {
        var snapshot = DataPlaneSnapshot(streams: [StreamSnapshot(name: "s1", state: "live")],
                                         clientCounts: DataPlaneSnapshot.counts(of: Self.clients))
        // What a protocol-1 relay sent: the list in every snapshot.
        if protocolVersion < ControlProtocolVersion.clientListOnDemand { snapshot.legacyClients = Self.clients }
        return snapshot
    }

    func clientList() -> [ClientSnapshot] {
        listsBuilt.withLock { $0 += 1 }
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        return Self.clients
    }

    func execute(_ command: ControlCommand) async -> CommandOutcome { .ok() }
}

/// `LinkedNodeState.clientList()` (what `GET /api/v1/clients` calls) over a real control link.
@Suite(.serialized) struct ClientListLinkTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("lsc-list-\(UUID().uuidString.prefix(8)).sock").path

    /// Runs the blocking `clientList()` on a Dispatch thread, as the HTTP server's threads call it,
    /// never on a cooperative-pool thread (it waits for a task of its own).
    private func list(_ node: LinkedNodeState) async -> Result<[ClientSnapshot], APIError> {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: node.clientList()) }
        }
    }

    private func linked(_ dataPlane: ListingDataPlane, serverGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                        timeout: Duration = .seconds(10), _ body: (LinkedNodeState, ControlLinkClient) async throws -> Void) async throws {
        let server = ControlLinkServer(path: path, handler: dataPlane, group: serverGroup, snapshotInterval: .milliseconds(50))
        try await server.start()
        let client = ControlLinkClient(path: path, group: MultiThreadedEventLoopGroup.singleton,
                                       hello: Hello(softwareVersion: "test", role: "origin", startedAt: Date()), commandTimeout: timeout)
        let runner = Task { await client.run() }
        let node = LinkedNodeState(link: client, role: "origin", httpListen: "127.0.0.1:0", startedAt: Date(), requests: APIRequestCounter())
        #expect(await pollUntil { client.state.connected && client.state.generation > 2 })
        try await body(node, client)
        runner.cancel()
        await runner.value
        await server.stop()
    }

    @Test func theListIsBuiltOnlyWhenAskedFor() async throws {
        let dataPlane = ListingDataPlane()
        try await linked(dataPlane) { node, client in
            // Several snapshots went by: counts, no list.
            #expect(dataPlane.listsBuilt.withLock { $0 } == 0)
            #expect(client.state.snapshot?.clientCounts == ["publisher": 1, "player": 1])
            #expect(client.state.snapshot?.legacyClients == nil)
            #expect(await list(node) == .success(ListingDataPlane.clients))
            #expect(dataPlane.listsBuilt.withLock { $0 } == 1)
        }
    }

    @Test func aProtocol1DataPlaneIsListedFromItsSnapshots() async throws {
        let dataPlane = ListingDataPlane(protocolVersion: 1)
        try await linked(dataPlane) { node, _ in
            #expect(await list(node) == .success(ListingDataPlane.clients))
            #expect(dataPlane.listsBuilt.withLock { $0 } == 0)
        }
    }

    @Test func aDataPlaneThatDoesNotAnswerInTimeIs503() async throws {
        // The slow list blocks the link's own loop (as a huge list would), not the shared one.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        try await linked(ListingDataPlane(delay: 1.5), serverGroup: group, timeout: .milliseconds(300)) { node, _ in
            let started = Date()
            let result = await list(node)
            #expect(Date().timeIntervalSince(started) < 1.4)
            guard case .failure(let error) = result else { Issue.record("listed: \(result)"); return }
            #expect(error.status == 503 && error.code == "data-plane-unavailable")
            #expect(error.message.contains("in time"))
        }
        try await group.shutdownGracefully()
    }

    @Test func withoutALinkTheListIs503() async throws {
        let client = ControlLinkClient(path: path, group: MultiThreadedEventLoopGroup.singleton,
                                       hello: Hello(softwareVersion: "test", role: "origin", startedAt: Date()))
        let node = LinkedNodeState(link: client, role: "origin", httpListen: "127.0.0.1:0", startedAt: Date(), requests: APIRequestCounter())
        guard case .failure(let error) = await list(node) else { Issue.record("listed without a link"); return }
        #expect(error == .dataPlaneUnavailable)
    }
}
