import Foundation
import Testing

/// `lsc-control` (libmicrohttpd) with a real `lsc-relay` and ffmpeg, over curl on loopback.
@Suite(.serialized) struct ControlAPILiveTests {
    struct Node {
        let directory: URL
        let socket: String
        let relay: TestProcess
        let rtmpPort: Int
        var control: TestProcess
        let httpPort: Int
    }

    static func startControl(socket: String, httpPort: Int, extra: [String] = []) throws -> TestProcess {
        let control = try TestProcess(Binaries.path("lsc-control"),
                                      ["--http", "127.0.0.1:\(httpPort)", "--control-socket", socket, "--log-level", "debug"] + extra,
                                      name: "lsc-control")
        try waitUntil("lsc-control listening on \(httpPort)", timeout: 15) { isListening(port: httpPort) }
        return control
    }

    static func startNode(controlExtra: [String] = []) throws -> Node {
        let directory = TestDirectory.make("control")
        let socket = directory.appendingPathComponent("c.sock").path
        let relay = try RelayFixtures.startRelay(extra: ["--control-socket", socket], workingDirectory: directory)
        let httpPort = FreePort.next()
        let control = try startControl(socket: socket, httpPort: httpPort, extra: controlExtra)
        return Node(directory: directory, socket: socket, relay: relay.process, rtmpPort: relay.port, control: control, httpPort: httpPort)
    }

    /// curl: (status, headers+body as text).
    /// A body is sent as JSON (the API refuses other content types with 415) unless the test sets
    /// its own `Content-Type`.
    static func curl(_ url: String, _ arguments: [String] = []) throws -> (status: Int, body: String) {
        let sendsBody = arguments.contains { ["--data", "-d", "--data-binary"].contains($0) }
        let setsType = arguments.contains { $0.lowercased().hasPrefix("content-type:") }
        let json = sendsBody && !setsType ? ["-H", "Content-Type: application/json"] : []
        let result = try Tools.run("curl", ["-s", "-o", "-", "-w", "\n%{http_code}", "--max-time", "10"] + json + arguments + [url], timeout: 20)
        var lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.popLast() ?? "") ?? 0
        return (status, lines.joined(separator: "\n"))
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    static func errorCode(_ text: String) -> String? { (json(text)["error"] as? [String: Any])?["code"] as? String }

    @Test func everyEndpointWithAPublisher() throws {
        let node = try Self.startNode()
        defer { node.control.stop(); node.relay.stop() }
        let api = "http://127.0.0.1:\(node.httpPort)"
        try waitUntil("health 200", timeout: 10) { try Self.curl("\(api)/api/v1/health").status == 200 }

        let publisher = try RelayFixtures.startPublisher(url: RelayFixtures.url(port: node.rtmpPort), seconds: 20)
        defer { publisher.stop() }
        var stream: [String: Any] = [:]
        try waitUntil("stream listed with codecs and bitrate", timeout: 20) {
            let streams = Self.json(try Self.curl("\(api)/api/v1/streams").body)["streams"] as? [[String: Any]] ?? []
            stream = streams.first { $0["name"] as? String == "livestream" } ?? [:]
            return (stream["video"] as? [String: Any])?["codec"] as? String == "h264" && (stream["bitrateIn"] as? Int ?? 0) > 0
        }
        #expect((stream["audio"] as? [String: Any])?["codec"] as? String == "aac")

        let one = try Self.curl("\(api)/api/v1/streams/livestream")
        #expect(one.status == 200)
        #expect(Self.json(one.body)["name"] as? String == "livestream")
        #expect(Self.errorCode(try Self.curl("\(api)/api/v1/streams/missing").body) == "not-found")

        let nodeInfo = Self.json(try Self.curl("\(api)/api/v1/node").body)
        #expect(nodeInfo["role"] as? String == "origin")
        #expect(nodeInfo["dataPlane"] as? String == "up")

        let metrics = try Self.curl("\(api)/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("# TYPE lsc_streams gauge"))
        #expect(metrics.body.contains("lsc_publishers 1"))
        #expect(metrics.body.contains("lsc_clients{kind=\"publisher\"} 1\n"))

        // Errors: 404, 405 with Allow, 413 for a 2 MiB body.
        let missing = try Self.curl("\(api)/api/v1/nothing")
        #expect(missing.status == 404 && Self.errorCode(missing.body) == "not-found")
        let wrongMethod = try Self.curl("\(api)/api/v1/streams", ["-X", "POST", "-D", "-"])
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.body.lowercased().contains("allow: get"))
        let big = node.directory.appendingPathComponent("big.bin")
        try Data(count: 2 << 20).write(to: big)
        let tooLarge = try Self.curl("\(api)/api/v1/clients/x", ["-X", "DELETE", "--data-binary", "@\(big.path)"])
        #expect(tooLarge.status == 413 && Self.errorCode(tooLarge.body) == "payload-too-large")

        // Keep-alive: two requests on one connection.
        let reuse = try Tools.run("curl", ["-sv", "--max-time", "10", "\(api)/api/v1/health", "\(api)/api/v1/node"], timeout: 20)
        #expect(reuse.stderr.contains("Re-using existing connection") || reuse.stderr.contains("Reusing existing connection"))

        // The client list, asked of the relay on demand (protocol 2), as snapshots carried it.
        let listed = try Self.curl("\(api)/api/v1/clients")
        #expect(listed.status == 200)
        let clients = Self.json(listed.body)["clients"] as? [[String: Any]] ?? []
        let publisherEntry = try #require(clients.first { $0["kind"] as? String == "publisher" })
        #expect(Set(publisherEntry.keys) == ["id", "kind", "remoteAddress", "stream", "bytesIn", "bytesOut", "connectedSince"])
        #expect(publisherEntry["stream"] as? String == "livestream")
        #expect((publisherEntry["remoteAddress"] as? String)?.hasPrefix("127.0.0.1:") == true)
        #expect((publisherEntry["bytesIn"] as? Int ?? 0) > 0)
        #expect((publisherEntry["connectedSince"] as? String)?.hasSuffix("Z") == true)

        // DELETE a client: the publisher is disconnected.
        let publisherID = try #require(publisherEntry["id"] as? String)
        let deleted = try Self.curl("\(api)/api/v1/clients/\(publisherID)", ["-X", "DELETE"])
        #expect(deleted.status == 200)
        #expect(publisher.waitForExit(timeout: 10))
        #expect(try Self.curl("\(api)/api/v1/clients/\(publisherID)", ["-X", "DELETE"]).status == 404)
    }

    @Test func bearerTokenIsEnforcedWhenConfigured() throws {
        let directory = TestDirectory.make("token")
        let tokenFile = directory.appendingPathComponent("token")
        try "t0ken-123\n".write(to: tokenFile, atomically: true, encoding: .utf8)
        let port = FreePort.next()
        let control = try Self.startControl(socket: directory.appendingPathComponent("none.sock").path, httpPort: port,
                                            extra: ["--api-token-file", tokenFile.path])
        defer { control.stop() }
        let url = "http://127.0.0.1:\(port)/api/v1/node"
        let without = try Self.curl(url)
        #expect(without.status == 401 && Self.errorCode(without.body) == "unauthorized")
        #expect(try Self.curl(url, ["-H", "Authorization: Bearer wrong"]).status == 401)
        #expect(try Self.curl(url, ["-H", "Authorization: Bearer t0ken-123"]).status == 200)
        // Without a data plane: health and data routes are 503.
        #expect(try Self.curl("http://127.0.0.1:\(port)/api/v1/health", ["-H", "Authorization: Bearer t0ken-123"]).status == 503)
        #expect(try Self.curl("http://127.0.0.1:\(port)/api/v1/streams", ["-H", "Authorization: Bearer t0ken-123"]).status == 503)
    }

    @Test func nonLoopbackWithoutTokenIsRefused() throws {
        let result = try Tools.run(Binaries.path("lsc-control"), ["--http", "0.0.0.0:\(FreePort.next())"], timeout: 20)
        #expect(result.status != 0)
        #expect(result.stderr.contains("--api-token-file"))
    }

    @Test func eitherSideRestartsWithoutHurtingPlayers() throws {
        var node = try Self.startNode()
        defer { node.control.stop(); node.relay.stop() }
        let api = "http://127.0.0.1:\(node.httpPort)"
        let url = RelayFixtures.url(port: node.rtmpPort)
        let publisher = try RelayFixtures.startPublisher(url: url, seconds: 14)
        defer { publisher.stop() }
        try RelayFixtures.waitForStream(url: url)
        let output = node.directory.appendingPathComponent("player.flv").path
        let player = try TestProcess("ffmpeg", ["-hide_banner", "-loglevel", "warning", "-rw_timeout", "5000000", "-i", url,
                                                "-t", "6", "-c", "copy", "-y", output], name: "ffmpeg-player")
        defer { player.stop() }
        usleep(1_000_000)
        // lsc-control dies while the player plays; it comes back and rebuilds its view.
        node.control.signal(SIGKILL)
        #expect(node.control.waitForExit(timeout: 5))
        usleep(1_000_000)
        node.control = try Self.startControl(socket: node.socket, httpPort: node.httpPort)
        try waitUntil("stream listed again", timeout: 15) { try Self.curl("\(api)/api/v1/streams").body.contains("livestream") }
        #expect(player.waitForExit(timeout: 20))
        #expect(player.process.terminationStatus == 0)
        let duration = try Tools.run("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", output], timeout: 20)
        #expect((Double(duration.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 5)

        // lsc-relay dies: 503; it comes back: the control plane recovers by itself.
        node.relay.signal(SIGKILL)
        #expect(node.relay.waitForExit(timeout: 5))
        try waitUntil("health 503", timeout: 15) { try Self.curl("\(api)/api/v1/health").status == 503 }
        let relay = try RelayFixtures.startRelay(port: node.rtmpPort, extra: ["--control-socket", node.socket], workingDirectory: node.directory)
        defer { relay.process.stop() }
        try waitUntil("health 200 again", timeout: 15) { try Self.curl("\(api)/api/v1/health").status == 200 }
    }
}
