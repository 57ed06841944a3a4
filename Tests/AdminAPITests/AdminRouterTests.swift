import AdminAPI
import ControlProtocol
import Foundation
import Testing

@Suite struct AdminRouterTests {
    let node = FakeNode()
    var router: AdminRouter { AdminRouter(environment: APIEnvironment(node: node), token: nil) }

    @Test func healthIsOkWithUptimeWhileTheLinkIsUp() throws {
        let response = router.handle(APIRequest(method: "GET", path: "/api/v1/health"))
        #expect(response.status == 200)
        let body = try json(response)
        #expect(body["status"] as? String == "ok")
        #expect(body["dataPlane"] as? String == "up")
        #expect(body["uptimeSeconds"] as? Double == 42)
    }

    @Test func healthIs503WhenTheLinkIsDown() throws {
        let router = AdminRouter(environment: APIEnvironment(node: FakeNode(linkUp: false)), token: nil)
        let response = router.handle(APIRequest(method: "GET", path: "/api/v1/health"))
        #expect(response.status == 503)
        #expect(try json(response)["dataPlane"] as? String == "down")
    }

    @Test func dataPlaneRoutesAre503WhenTheLinkIsDown() throws {
        let router = AdminRouter(environment: APIEnvironment(node: FakeNode(linkUp: false)), token: nil)
        for path in ["/api/v1/streams", "/api/v1/streams/x", "/api/v1/clients"] {
            let response = router.handle(APIRequest(method: "GET", path: path))
            #expect(response.status == 503)
            let error = try #require(try json(response)["error"] as? [String: Any])
            #expect(error["code"] as? String == "data-plane-unavailable")
        }
        #expect(router.handle(APIRequest(method: "DELETE", path: "/api/v1/clients/c1")).status == 503)
        #expect(router.handle(APIRequest(method: "GET", path: "/api/v1/node")).status == 200)
        #expect(router.handle(APIRequest(method: "GET", path: "/metrics")).status == 200)
    }

    @Test func nodeReportsRoleAndTheDataPlanesHello() throws {
        let body = try json(router.handle(APIRequest(method: "GET", path: "/api/v1/node")))
        #expect(body["role"] as? String == "origin")
        #expect(body["app"] as? String == "live")
        #expect(body["rtmpListen"] as? String == "0.0.0.0:1935")
        #expect(body["mediaListen"] as? String == "0.0.0.0:8935")
        #expect(body["startedAt"] as? String == "2027-01-15T08:00:00Z")
        #expect(body["dataPlaneProtocolVersion"] as? Int == ControlProtocolVersion.current)
    }

    @Test func streamsListCodecsAndBitrates() throws {
        let body = try json(router.handle(APIRequest(method: "GET", path: "/api/v1/streams")))
        let streams = try #require(body["streams"] as? [[String: Any]])
        #expect(streams.count == 1)
        let video = try #require(streams[0]["video"] as? [String: Any])
        #expect(video["codec"] as? String == "h264")
        #expect(streams[0]["bitrateIn"] as? Int == 500_000)
    }

    @Test func streamsListPlayURLsForTheHostTheClientUsed() throws {
        let request = APIRequest(method: "GET", path: "/api/v1/streams", headers: ["Host": "media.example.com:8080"])
        let body = try json(router.handle(request))
        let urls = try #require((body["streams"] as? [[String: Any]])?.first?["playUrls"] as? [String: String])
        #expect(urls["rtmp"] == "rtmp://media.example.com:1935/live/cam%201")
        #expect(urls["flv"] == "http://media.example.com:8935/live/cam%201.flv")
        #expect(urls["mp4"] == "http://media.example.com:8935/live/cam%201.mp4")
        #expect(urls["hls"] == "http://media.example.com:8935/live/cam%201/index.m3u8")
        #expect(urls["dvr"] == "http://media.example.com:8935/live/cam%201/dvr.m3u8")
        #expect(urls["player"] == "http://media.example.com:8935/live/cam%201")
        let local = try json(router.handle(APIRequest(method: "GET", path: "/api/v1/streams/cam%201", headers: ["Host": "[::1]:8080"])))
        #expect((local["playUrls"] as? [String: String])?["hls"] == "http://[::1]:8935/live/cam%201/index.m3u8")
        let hostile = try json(router.handle(APIRequest(method: "GET", path: "/api/v1/streams/cam%201", headers: ["Host": "evil\"><script>"])))
        #expect((hostile["playUrls"] as? [String: String])?["flv"] == "http://127.0.0.1:8935/live/cam%201.flv")
    }

    @Test func oneStreamByPercentEncodedName() throws {
        let response = router.handle(APIRequest(method: "GET", path: "/api/v1/streams/cam%201"))
        #expect(response.status == 200)
        #expect(try json(response)["name"] as? String == "cam 1")
        let missing = router.handle(APIRequest(method: "GET", path: "/api/v1/streams/nope"))
        #expect(missing.status == 404)
    }

    @Test func deleteClientRunsTheCommand() throws {
        let response = router.handle(APIRequest(method: "DELETE", path: "/api/v1/clients/c1"))
        #expect(response.status == 200)
        #expect(node.disconnected.withLock { $0 } == ["c1"])
        #expect(router.handle(APIRequest(method: "DELETE", path: "/api/v1/clients/zz")).status == 404)
    }

    @Test func unknownPathIs404AndWrongMethodIs405WithAllow() throws {
        let missing = router.handle(APIRequest(method: "GET", path: "/api/v1/nothing"))
        #expect(missing.status == 404)
        #expect(try json(missing)["error"] != nil)
        let wrong = router.handle(APIRequest(method: "POST", path: "/api/v1/clients/c1"))
        #expect(wrong.status == 405)
        #expect(wrong.headers["Allow"] == "DELETE")
        #expect(router.handle(APIRequest(method: "PUT", path: "/api/v1/streams")).headers["Allow"] == "GET")
    }

    @Test func tokenIsRequiredWhenConfigured() throws {
        let router = AdminRouter(environment: APIEnvironment(node: node), token: BearerToken("s3cret\n"))
        #expect(router.handle(APIRequest(method: "GET", path: "/api/v1/health")).status == 401)
        #expect(router.handle(APIRequest(method: "GET", path: "/api/v1/health", headers: ["Authorization": "Bearer wrong"])).status == 401)
        #expect(router.handle(APIRequest(method: "GET", path: "/api/v1/health", headers: ["Authorization": "Bearer s3cre"])).status == 401)
        #expect(router.handle(APIRequest(method: "GET", path: "/api/v1/health", headers: ["Authorization": "Bearer s3cret"])).status == 200)
        #expect(router.handle(APIRequest(method: "GET", path: "/metrics", headers: ["authorization": "bearer s3cret"])).status == 200)
    }

    @Test func bodyOverTheLimitIs413() throws {
        let router = AdminRouter(environment: APIEnvironment(node: node), token: nil, bodyLimit: 10)
        let response = router.handle(APIRequest(method: "DELETE", path: "/api/v1/clients/c1", body: Array(repeating: 0x20, count: 11)))
        #expect(response.status == 413)
        #expect((try json(response)["error"] as? [String: Any])?["code"] as? String == "payload-too-large")
    }

    @Test func malformedJSONBodyIs400() throws {
        struct Payload: Decodable { var name: String }
        let route = Route("POST", "/echo", acceptsBody: true) { context throws(APIError) in
            let payload = try context.decodeBody(Payload.self)
            return .json(Array(payload.name.utf8))
        }
        let router = AdminRouter(routes: [route], environment: APIEnvironment(node: node), token: nil)
        #expect(router.handle(APIRequest(method: "POST", path: "/echo", body: Array("{nope".utf8))).status == 400)
        #expect(router.handle(APIRequest(method: "POST", path: "/echo", body: Array(#"{"name":1}"#.utf8))).status == 400)
        #expect(router.handle(APIRequest(method: "POST", path: "/echo", body: Array(#"{"name":"a"}"#.utf8))).status == 200)
    }

    @Test func servicesOfOtherAreasAreFoundByType() throws {
        protocol Greeter: Sendable { func greet() -> String }
        struct English: Greeter { func greet() -> String { "hi" } }
        let route = Route("GET", "/greet") { context throws(APIError) in
            .json(Array(try context.environment.service((any Greeter).self).greet().utf8))
        }
        var environment = APIEnvironment(node: node)
        let without = AdminRouter(routes: [route], environment: environment, token: nil)
        #expect(without.handle(APIRequest(method: "GET", path: "/greet")).status == 503)
        environment.register(English() as any Greeter, as: (any Greeter).self)
        let with = AdminRouter(routes: [route], environment: environment, token: nil)
        #expect(with.handle(APIRequest(method: "GET", path: "/greet")).body == Array("hi".utf8))
    }
}
