import AdminAPI
import ControlProtocol
import Foundation
import Testing

/// `GET /api/v1/clients`: the list the data plane sends on demand, in the same JSON as when
/// snapshots carried it, one request to the data plane per snapshot, and a 503 when it does not
/// answer. Serialized: the route's body cache is shared by the process.
@Suite(.serialized) struct ClientListRouteTests {
    @Test func clientsAreListedWithEveryField() throws {
        let node = FakeNode()
        let router = AdminRouter(environment: APIEnvironment(node: node), token: nil)
        let response = router.handle(APIRequest(method: "GET", path: "/api/v1/clients"))
        #expect(response.status == 200)
        #expect(node.listRequests.withLock { $0 } == 1)
        // Byte for byte what the route served from the snapshot's list before protocol 2.
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"clients":["#
            + #"{"bytesIn":0,"bytesOut":0,"connectedSince":"2027-01-15T08:00:10Z","id":"c1","kind":"publisher","remoteAddress":"127.0.0.1:5000","stream":"cam 1"},"#
            + #"{"bytesIn":0,"bytesOut":0,"connectedSince":"2027-01-15T08:00:10Z","id":"c2","kind":"player","remoteAddress":"127.0.0.1:5001","stream":"cam 1"}]}"#)
        #expect(try APIJSON.decodeBody(ClientListResponse.self, from: response.body).clients == FakeNode.sampleClients)
    }

    @Test func aDataPlaneThatDoesNotAnswerIs503WithTheErrorShape() throws {
        let node = FakeNode()
        node.listAnswer.withLock { $0 = .failure(.dataPlaneDidNotAnswer("the data plane (lsc-relay) did not send its client list in time")) }
        let router = AdminRouter(environment: APIEnvironment(node: node), token: nil)
        let response = router.handle(APIRequest(method: "GET", path: "/api/v1/clients"))
        #expect(response.status == 503)
        let error = try #require(try json(response)["error"] as? [String: Any])
        #expect(error["code"] as? String == "data-plane-unavailable")
        #expect(error["message"] as? String == "the data plane (lsc-relay) did not send its client list in time")
    }

    @Test func oneListPerSnapshotGeneration() throws {
        let node = FakeNode()
        node.current.withLock { $0.snapshotGeneration = UInt64.random(in: 1_000_000...(UInt64.max / 2)) }
        let router = AdminRouter(environment: APIEnvironment(node: node), token: nil)
        let first = router.handle(APIRequest(method: "GET", path: "/api/v1/clients"))
        #expect(router.handle(APIRequest(method: "GET", path: "/api/v1/clients")).body == first.body)
        #expect(node.listRequests.withLock { $0 } == 1)
        node.current.withLock { $0.snapshotGeneration += 1 }
        #expect(router.handle(APIRequest(method: "GET", path: "/api/v1/clients")).status == 200)
        #expect(node.listRequests.withLock { $0 } == 2)
    }

    @Test func aFailedListIsNotCached() throws {
        let node = FakeNode()
        node.current.withLock { $0.snapshotGeneration = UInt64.random(in: 1_000_000...(UInt64.max / 2)) }
        node.listAnswer.withLock { $0 = .failure(.dataPlaneDidNotAnswer("no answer")) }
        let router = AdminRouter(environment: APIEnvironment(node: node), token: nil)
        #expect(router.handle(APIRequest(method: "GET", path: "/api/v1/clients")).status == 503)
        node.listAnswer.withLock { $0 = .success(FakeNode.sampleClients) }
        #expect(router.handle(APIRequest(method: "GET", path: "/api/v1/clients")).status == 200)
    }
}
