import AdminAPI
import ControlProtocol
import Foundation
import Testing

/// A topology provider with a fixed answer and a scripted reload.
struct FakeTopology: TopologyProvider {
    var reloadResult: Result<TopologyResponse, APIError>

    static let edge = TopologyResponse(
        role: "edge", hostIni: "/etc/livestreamcast/edge/host.ini", loadedAt: Date(timeIntervalSince1970: 1_800_000_000),
        idleIntervalMs: 1000,
        groups: [TopologyGroupDTO(label: "origins", line: 2, primary: "10.0.0.1:1935", secondary: "10.0.0.2:1935",
                                  app: "livestreamcast_origin", singleMachine: false, state: "connected",
                                  server: "10.0.0.2:1935/livestreamcast_origin", serverRole: "secondary",
                                  failedAttempts: 0, totalRetries: 4, publishers: ["live"])],
        streams: [RelayedStreamDTO(name: "live", active: "10.0.0.2:1935/livestreamcast_origin",
                                   available: ["10.0.0.2:1935/livestreamcast_origin"])],
        failovers: [FailoverEventDTO(time: Date(timeIntervalSince1970: 1_800_000_001), stream: "live",
                                     from: "10.0.0.1:1935/livestreamcast_origin", to: "10.0.0.2:1935/livestreamcast_origin",
                                     reason: "idle for 1000 ms")])

    func topology() -> TopologyResponse { Self.edge }
    func reload() -> Result<TopologyResponse, APIError> { reloadResult }
}

@Suite struct TopologyRoutesTests {
    private func router(_ topology: FakeTopology = FakeTopology(reloadResult: .success(FakeTopology.edge)),
                        node: FakeNode = FakeNode(snapshot: Self.relayedSnapshot)) -> AdminRouter {
        var environment = APIEnvironment(node: node)
        environment.register(topology as any TopologyProvider, as: (any TopologyProvider).self)
        return AdminRouter(environment: environment, token: nil)
    }

    static let relayedSnapshot = DataPlaneSnapshot(
        streams: [StreamSnapshot(name: "live", state: "live",
                                 source: StreamSource(kind: "upstream", upstream: "10.0.0.2:1935/livestreamcast_origin"))],
        children: [ChildSnapshot(clientId: "c7", remoteAddress: "127.0.0.1:40000", app: "livestreamcast_edge",
                                 registeredSince: Date(timeIntervalSince1970: 1_800_000_000))],
        upstreams: [UpstreamSnapshot(server: "10.0.0.2:1935/livestreamcast_origin", state: "registered",
                                     streams: ["live"], playing: ["live"], feeding: ["live"])])

    @Test func topologyHasGroupsStreamsFailoversAndTheDataPlaneView() throws {
        let response = router().handle(APIRequest(method: "GET", path: "/api/v1/topology"))
        #expect(response.status == 200)
        let body = try json(response)
        #expect(body["role"] as? String == "edge")
        #expect(body["dataPlane"] as? String == "up")
        #expect(body["loadedAt"] as? String == "2027-01-15T08:00:00Z")
        let group = try #require((body["groups"] as? [[String: Any]])?.first)
        #expect(group["state"] as? String == "connected")
        #expect(group["serverRole"] as? String == "secondary")
        #expect(group["totalRetries"] as? Int == 4)
        #expect(group["publishers"] as? [String] == ["live"])
        let stream = try #require((body["streams"] as? [[String: Any]])?.first)
        #expect(stream["available"] as? [String] == ["10.0.0.2:1935/livestreamcast_origin"])
        #expect(stream["pending"] as? [String] == [])
        let failover = try #require((body["failovers"] as? [[String: Any]])?.first)
        #expect(failover["time"] as? String == "2027-01-15T08:00:01Z")
        #expect(failover["reason"] as? String == "idle for 1000 ms")
        let upstream = try #require((body["dataPlaneUpstreams"] as? [[String: Any]])?.first)
        #expect(upstream["feeding"] as? [String] == ["live"])
    }

    @Test func topologyWithTheDataPlaneDownStillAnswers() throws {
        let response = router(node: FakeNode(linkUp: false)).handle(APIRequest(method: "GET", path: "/api/v1/topology"))
        #expect(response.status == 200)
        let body = try json(response)
        #expect(body["dataPlane"] as? String == "down")
        #expect(body["dataPlaneUpstreams"] == nil)
    }

    @Test func reloadAnswersTheNewTopologyOrTheProvidersError() throws {
        #expect(router().handle(APIRequest(method: "POST", path: "/api/v1/topology/reload")).status == 200)
        #expect(router().handle(APIRequest(method: "GET", path: "/api/v1/topology/reload")).status == 405)

        let origin = FakeTopology(reloadResult: .failure(APIError(status: 409, code: "no-host-ini", message: "origin")))
        #expect(router(origin).handle(APIRequest(method: "POST", path: "/api/v1/topology/reload")).status == 409)

        let bad = FakeTopology(reloadResult: .failure(APIError(
            status: 422, code: "invalid-host-ini", message: "host.ini was rejected",
            lines: [APIErrorLine(file: "host.ini", line: 3, message: "empty primary address")])))
        let response = router(bad).handle(APIRequest(method: "POST", path: "/api/v1/topology/reload"))
        #expect(response.status == 422)
        let error = try #require(try json(response)["error"] as? [String: Any])
        #expect(error["code"] as? String == "invalid-host-ini")
        let line = try #require((error["lines"] as? [[String: Any]])?.first)
        #expect(line["line"] as? Int == 3)
        #expect(line["file"] as? String == "host.ini")
        #expect(line["message"] as? String == "empty primary address")
    }

    @Test func errorsWithoutLinesHaveNoLinesKey() throws {
        let response = router().handle(APIRequest(method: "GET", path: "/api/v1/nothing"))
        let error = try #require(try json(response)["error"] as? [String: Any])
        #expect(error["lines"] == nil)
    }

    @Test func childrenComeFromTheSnapshot() throws {
        let response = router().handle(APIRequest(method: "GET", path: "/api/v1/children"))
        #expect(response.status == 200)
        let child = try #require((try json(response)["children"] as? [[String: Any]])?.first)
        #expect(child["clientId"] as? String == "c7")
        #expect(child["app"] as? String == "livestreamcast_edge")
        #expect(router(node: FakeNode(linkUp: false)).handle(APIRequest(method: "GET", path: "/api/v1/children")).status == 503)
    }

    @Test func relayedStreamsShowTheirUpstream() throws {
        let node = FakeNode(snapshot: Self.relayedSnapshot)
        // A generation no other test uses: the streams body is cached per generation.
        node.current.withLock { $0.snapshotGeneration = UInt64.random(in: 1_000_000...UInt64.max) }
        let response = router(node: node).handle(APIRequest(method: "GET", path: "/api/v1/streams"))
        let stream = try #require((try json(response)["streams"] as? [[String: Any]])?.first)
        let source = try #require(stream["source"] as? [String: Any])
        #expect(source["kind"] as? String == "upstream")
        #expect(source["upstream"] as? String == "10.0.0.2:1935/livestreamcast_origin")
    }
}
