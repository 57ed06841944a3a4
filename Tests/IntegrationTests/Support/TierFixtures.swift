import Foundation

/// One node of a live topology: its `lsc-relay` and `lsc-control`, on loopback ports, with its
/// own directory (media root, control socket, host.ini).
final class TierNode: @unchecked Sendable {
    let name: String
    let role: String
    let directory: URL
    let rtmpPort: Int
    let httpPort: Int
    private let relayArguments: [String]
    private(set) var relay: TestProcess
    let control: TestProcess

    var socket: String { directory.appendingPathComponent("\(name).sock").path }
    var app: String { "livestreamcast_\(role)" }
    /// `host:port/app`, the id other nodes' events and the API use for this node.
    var upstreamID: String { "127.0.0.1:\(rtmpPort)/\(app)" }
    func url(_ stream: String = "livestream") -> String { RelayFixtures.url(port: rtmpPort, app: app, stream: stream) }

    init(name: String, role: String, hostINI: [String]?, relayExtra: [String], controlExtra: [String]) throws {
        self.name = name
        self.role = role
        directory = TestDirectory.make(name)
        rtmpPort = FreePort.next()
        httpPort = FreePort.next()
        let media = directory.appendingPathComponent("media").path
        relayArguments = ["--control-socket", directory.appendingPathComponent("\(name).sock").path, "--media", media] + relayExtra
        relay = try RelayFixtures.startRelay(role: role, port: rtmpPort, extra: relayArguments, workingDirectory: directory).process
        var controlArguments = ["--role", role, "--http", "127.0.0.1:\(httpPort)", "--media", media,
                                "--control-socket", directory.appendingPathComponent("\(name).sock").path] + controlExtra
        if let hostINI {
            let file = directory.appendingPathComponent("host.ini")
            try (hostINI.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            controlArguments += ["--host-ini", file.path]
        }
        control = try TestProcess(Binaries.path("lsc-control"), controlArguments, name: "lsc-control-\(name)")
        try waitUntil("lsc-control of \(name) listening", timeout: 15) { isListening(port: httpPort) }
    }

    /// Starts the relay again on the same port and directory (after a kill).
    func restartRelay() throws {
        relay = try RelayFixtures.startRelay(role: role, port: rtmpPort, extra: relayArguments, workingDirectory: directory).process
    }

    /// `GET path` on the node's admin API, decoded.
    func get(_ path: String) throws -> [String: Any] {
        ControlAPILiveTests.json(try ControlAPILiveTests.curl("http://127.0.0.1:\(httpPort)\(path)").body)
    }

    func getText(_ path: String) throws -> String { try ControlAPILiveTests.curl("http://127.0.0.1:\(httpPort)\(path)").body }

    /// The node's view of `stream` in `/api/v1/streams`.
    func stream(_ name: String = "livestream") throws -> [String: Any]? {
        (try get("/api/v1/streams")["streams"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    /// The upstream `stream` comes from on this node, if it is relayed.
    func upstream(of name: String = "livestream") throws -> String? {
        (try stream(name)?["source"] as? [String: Any])?["upstream"] as? String
    }

    func stop() {
        control.stop()
        relay.stop()
    }

    /// A `host.ini` line naming `nodes` as primary and secondary (one node: a group of one).
    static func group(_ label: String, _ primary: TierNode, _ secondary: TierNode? = nil) -> String {
        let second = secondary ?? primary
        return "\(label) 127.0.0.1:\(primary.rtmpPort);127.0.0.1:\(second.rtmpPort) \(primary.app)"
    }
}
