import AdminAPI
import ControlProtocol
import Foundation
import Testing

/// Cross-origin writes, DNS rebinding and non-JSON bodies are refused before any route runs
/// (issue 9: a web page from any origin could start exports and stop recordings).
@Suite struct BrowserRequestPolicyTests {
    let node = FakeNode()
    var router: AdminRouter {
        AdminRouter(environment: APIEnvironment(node: node), token: nil, browserPolicy: BrowserRequestPolicy(listenHost: "127.0.0.1"))
    }

    private func code(_ response: APIResponse) -> String? {
        let body = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return (body?["error"] as? [String: Any])?["code"] as? String
    }

    @Test func aCrossOriginWriteIsRefusedAndASameOriginOneIsNot() {
        let json = ["Host": "127.0.0.1:8080", "Content-Type": "application/json"]
        let evil = router.handle(APIRequest(method: "DELETE", path: "/api/v1/clients/c1", headers: json.merging(["Origin": "https://evil.example"]) { $1 }))
        #expect(evil.status == 403)
        #expect(code(evil) == "forbidden-origin")
        #expect(router.handle(APIRequest(method: "DELETE", path: "/api/v1/clients/c1", headers: json.merging(["Origin": "null"]) { $1 })).status == 403)
        // Same origin (the editor page served by lsc-control), and no Origin at all (curl).
        #expect(router.handle(APIRequest(method: "DELETE", path: "/api/v1/clients/c1", headers: json.merging(["Origin": "http://127.0.0.1:8080"]) { $1 })).status != 403)
        #expect(router.handle(APIRequest(method: "DELETE", path: "/api/v1/clients/c1", headers: json)).status != 403)
        // Another port of the same host is another origin.
        #expect(router.handle(APIRequest(method: "DELETE", path: "/api/v1/clients/c1", headers: json.merging(["Origin": "http://127.0.0.1:9999"]) { $1 })).status == 403)
        // Reads carry no Origin check (browsers cannot read cross-origin answers anyway).
        #expect(router.handle(APIRequest(method: "GET", path: "/api/v1/node", headers: ["Host": "127.0.0.1:8080", "Origin": "https://evil.example"])).status == 200)
    }

    @Test func aRebindingHostNameIsRefusedEvenForReads() {
        for host in ["evil.example", "evil.example:8080", "127.0.0.1.evil.example:8080", "", "[::1"] {
            let response = router.handle(APIRequest(method: "GET", path: "/api/v1/node", headers: ["Host": host]))
            #expect(response.status == 403, "\(host)")
            #expect(code(response) == "forbidden-host")
        }
        #expect(router.handle(APIRequest(method: "GET", path: "/api/v1/node")).status == 403, "no Host at all")
        for host in ["127.0.0.1:8080", "localhost:8080", "LOCALHOST", "localhost.:9000", "127.0.0.2", "[::1]:8080", "app.localhost:1"] {
            #expect(router.handle(APIRequest(method: "GET", path: "/api/v1/node", headers: ["Host": host])).status == 200, "\(host)")
        }
        // With a token, names are not checked (the token is the credential a hostile page lacks).
        let open = BrowserRequestPolicy(listenHost: "0.0.0.0", checksHost: false)
        #expect((try? open.check(APIRequest(method: "GET", path: "/", headers: ["Host": "node1.example:8080"]))) != nil)
    }

    @Test func bodiesMustBeJSON() {
        let headers = ["Host": "127.0.0.1:8080"]
        let body = Array(#"{"output":"x.f4v","items":[]}"#.utf8)
        for type in [nil, "application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"] as [String?] {
            var sent = headers
            sent["Content-Type"] = type
            let response = router.handle(APIRequest(method: "POST", path: "/api/v1/exports", headers: sent, body: body))
            #expect(response.status == 415, "\(type ?? "none")")
            #expect(code(response) == "unsupported-media-type")
        }
        let json = router.handle(APIRequest(method: "POST", path: "/api/v1/exports",
                                            headers: headers.merging(["Content-Type": "Application/JSON; charset=utf-8"]) { $1 }, body: body))
        #expect(json.status != 415)
        // Writes without a body (start/stop recording) need no Content-Type.
        #expect(router.handle(APIRequest(method: "POST", path: "/api/v1/dvr/x/start", headers: headers)).status != 415)
    }
}
