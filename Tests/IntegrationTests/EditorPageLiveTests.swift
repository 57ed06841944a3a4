import Foundation
import Testing

/// The editor page from the real `lsc-control` binary (libmicrohttpd), started in an empty
/// directory: the page is compiled in, served without the API token, with its security headers.
@Suite struct EditorPageLiveTests {
    @Test func pageIsServedFromTheBinaryWithoutTheTokenAndTheAPIStillNeedsIt() throws {
        let directory = TestDirectory.make("editor-page")
        let tokenFile = directory.appendingPathComponent("token")
        try "t0ken-editor\n".write(to: tokenFile, atomically: true, encoding: .utf8)
        let port = FreePort.next()
        let control = try ControlAPILiveTests.startControl(socket: directory.appendingPathComponent("none.sock").path, httpPort: port,
                                                          extra: ["--api-token-file", tokenFile.path])
        defer { control.stop() }
        let base = "http://127.0.0.1:\(port)"

        let root = try ControlAPILiveTests.curl(base + "/", ["-D", "-"])
        #expect(root.status == 302)
        #expect(root.body.lowercased().contains("location: /editor/"))

        let index = try ControlAPILiveTests.curl(base + "/editor/", ["-D", "-"])
        #expect(index.status == 200)
        let headers = index.body.lowercased()
        #expect(headers.contains("content-type: text/html; charset=utf-8"))
        #expect(headers.contains("content-security-policy: default-src 'none'; script-src 'self'"))
        #expect(headers.contains("x-content-type-options: nosniff"))
        #expect(index.body.contains(#"<script type="module" src="js/app.js"></script>"#))

        let script = try ControlAPILiveTests.curl(base + "/editor/js/app.js", ["-D", "-"])
        #expect(script.status == 200)
        #expect(script.body.lowercased().contains("content-type: text/javascript"))
        let etag = try #require(script.body.split(separator: "\r\n").first { $0.lowercased().hasPrefix("etag:") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces))
        #expect(try ControlAPILiveTests.curl(base + "/editor/js/app.js", ["-H", "If-None-Match: \(etag)"]).status == 304)

        #expect(try ControlAPILiveTests.curl(base + "/editor/missing.js").status == 404)
        #expect(try ControlAPILiveTests.curl(base + "/editor/", ["-X", "POST", "-d", "{}"]).status == 405)
        #expect(try ControlAPILiveTests.curl(base + "/api/v1/node").status == 401)
        #expect(try ControlAPILiveTests.curl(base + "/api/v1/node", ["-H", "Authorization: Bearer t0ken-editor"]).status == 200)
    }
}
