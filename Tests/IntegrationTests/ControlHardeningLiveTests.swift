import Foundation
import Testing

/// The admin API on a real `lsc-control` against slow and hostile clients (issue 9): a slowloris
/// client does not make the API unreachable, idle connections are closed, oversized headers are
/// refused, and a browser page on another origin (or a rebinding DNS name) cannot drive it.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ControlHardeningLiveTests {
    /// A TCP connection from a chosen loopback source address (each 127.x address is its own
    /// client IP for the server's per-IP limit).
    final class SlowClient {
        let fd: Int32
        init?(from source: String, toPort port: Int) {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            var remote = sockaddr_in()
            remote.sin_family = sa_family_t(AF_INET)
            remote.sin_port = in_port_t(UInt16(port).bigEndian)
            remote.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            let connected = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard bound == 0, connected == 0 else { close(fd); return nil }
            var timeout = timeval(tv_sec: 0, tv_usec: 1000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        deinit { close(fd) }

        @discardableResult
        func send(_ text: String) -> Bool {
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
        }

        /// True once the server has closed (or reset) the connection.
        var isClosed: Bool {
            var byte: UInt8 = 0
            let n = recv(fd, &byte, 1, Int32(MSG_PEEK))
            return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        }
    }

    private func startControl(_ extra: [String]) throws -> (TestProcess, String) {
        let directory = TestDirectory.make("control-hardening")
        let httpPort = FreePort.next()
        let control = try ControlAPILiveTests.startControl(socket: directory.appendingPathComponent("none.sock").path, httpPort: httpPort,
                                                           extra: ["--media", directory.path] + extra)
        return (control, "http://127.0.0.1:\(httpPort)")
    }

    @Test func slowlorisClientsDoNotMakeTheAPIUnreachable() throws {
        let (control, api) = try startControl(["--http-max-connections", "32", "--http-max-connections-per-ip", "8", "--http-timeout", "3"])
        defer { control.stop() }
        let port = Int(api.split(separator: ":").last!)!
        try waitUntil("API up", timeout: 10) { try ControlAPILiveTests.curl("\(api)/api/v1/node").status == 200 }

        // 40 slowloris connections from one client address: more than all 32 slots.
        let slow = (0..<40).compactMap { _ in SlowClient(from: "127.0.0.2", toPort: port) }
        #expect(slow.count == 40)
        for client in slow { client.send("GET /api/v1/node HTTP/1.1\r\nHost: 127.0.0.1\r\n") }
        // One more, from another address, that says nothing at all.
        let silent = try #require(SlowClient(from: "127.0.0.3", toPort: port))
        let started = Date()
        var answeredIn: [TimeInterval] = []
        // For 6 s (twice the idle timeout), the slow clients trickle a header line a second;
        // meanwhile a normal client asks every second and must get its answer at once.
        while Date().timeIntervalSince(started) < 6 {
            for client in slow where !client.isClosed { client.send("X-Slow: \(Int(Date().timeIntervalSince(started)))\r\n") }
            let asked = Date()
            let answer = try ControlAPILiveTests.curl("\(api)/api/v1/node", ["--max-time", "3"])
            #expect(answer.status == 200)
            answeredIn.append(Date().timeIntervalSince(asked))
            Thread.sleep(forTimeInterval: 1)
        }
        #expect(answeredIn.allSatisfy { $0 < 1.5 }, "answer times \(answeredIn)")
        // The server kept at most 8 of them (the per-IP limit), and closed the idle one.
        let open = slow.filter { !$0.isClosed }.count
        #expect(open <= 8, "\(open) slow connections kept")
        #expect(silent.isClosed, "an idle connection is closed after --http-timeout")
        // Headers beyond the per-connection memory limit (64 KiB) are refused, not buffered.
        let huge = TestDirectory.make("huge-header").appendingPathComponent("header.txt")
        try ("X-Huge: " + String(repeating: "a", count: 100_000) + "\n").write(to: huge, atomically: true, encoding: .utf8)
        #expect(try ControlAPILiveTests.curl("\(api)/api/v1/node", ["-H", "@\(huge.path)"]).status == 431)
        #expect(try ControlAPILiveTests.curl("\(api)/api/v1/node").status == 200)
        #expect(control.process.isRunning)
    }

    @Test func crossOriginWritesRebindingHostsAndNonJSONBodiesAreRefused() throws {
        let (control, api) = try startControl([])
        defer { control.stop() }
        try waitUntil("API up", timeout: 10) { try ControlAPILiveTests.curl("\(api)/api/v1/node").status == 200 }
        let export = #"{"output": "x.f4v", "items": [{"source": "dvr", "name": "livestream", "start": 0, "end": 1}]}"#

        let evil = try ControlAPILiveTests.curl("\(api)/api/v1/dvr/livestream/stop", ["-X", "POST", "-H", "Origin: https://evil.example"])
        #expect(evil.status == 403)
        #expect(ControlAPILiveTests.errorCode(evil.body) == "forbidden-origin")
        // What a cross-site HTML form posts.
        let form = try ControlAPILiveTests.curl("\(api)/api/v1/exports", ["-X", "POST", "-H", "Content-Type: text/plain", "--data", export])
        #expect(form.status == 415)
        #expect(ControlAPILiveTests.errorCode(form.body) == "unsupported-media-type")
        // DNS rebinding: evil.example resolved to 127.0.0.1.
        let rebound = try ControlAPILiveTests.curl("\(api)/api/v1/node", ["-H", "Host: evil.example:8080"])
        #expect(rebound.status == 403)
        #expect(ControlAPILiveTests.errorCode(rebound.body) == "forbidden-host")
        // Same origin (the editor page) and plain curl still work.
        let sameOrigin = try ControlAPILiveTests.curl("\(api)/api/v1/exports", ["-X", "POST", "-H", "Origin: \(api)", "--data", export])
        #expect(sameOrigin.status == 400, "reaches the route (no such recording): \(sameOrigin.body)")
        #expect(try ControlAPILiveTests.curl("\(api)/api/v1/node", ["-H", "Host: localhost:1234"]).status == 200)
    }
}
