import ControlProtocol
import AdminAPI
import ArgumentParser
import ControlLink
import ControlPlane
import Foundation
import Logging
import PlayAuthorization
import NIOPosix
import ServiceLifecycle

/// `lsc-control`: the control plane of a LiveStreamCast node. Flags only; the wiring is below.
@main
struct ControlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsc-control",
        abstract: "LiveStreamCast control plane: the admin API over the data plane's control socket.")

    @Option(help: "Node role: origin, intermediate or edge.")
    var role: String = "origin"

    @Option(help: "Admin API listen address HOST:PORT (IPv6 as [::1]:PORT). Non-loopback needs --api-token-file.")
    var http: String = "127.0.0.1:8080"

    @Option(help: "File holding the bearer token every request must present.")
    var apiTokenFile: String?

    @Option(help: "Control socket of lsc-relay (default: ./lsc-<role>.sock, the same default as lsc-relay).")
    var controlSocket: String?

    @Option(help: "Media root shared with lsc-relay: DIR/dvr recordings, DIR/sources clips, DIR/exports outputs.")
    var media: String = "./media"

    @Option(help: "Upstream server groups (intermediate and edge nodes; refused on an origin). SIGHUP or POST /api/v1/topology/reload re-reads it.")
    var hostIni: String?

    @Option(help: "Media inactivity after which failover switches upstream: 1s, 500ms, 1.5s or seconds (default 1s).")
    var idleInterval: String = "1s"

    @Option(help: "HTTP server threads.")
    var httpThreads: Int = 2

    @Option(help: "Secret file of signed play URLs (the relay's --play-secret-file): enables POST /api/v1/play-urls.")
    var playSecretFile: String?

    @Option(help: "Admin API connections served at once; more are closed at once.")
    var httpMaxConnections: Int = 512

    @Option(help: "Admin API connections one client IP address may hold (slowloris bound); 0 for no limit.")
    var httpMaxConnectionsPerIp: Int = 64

    @Option(help: "Seconds after which an idle admin API connection is closed.")
    var httpTimeout: Int = 15

    @Option(help: "Items one export job may hold.")
    var exportMaxItems: Int = 100

    @Option(help: "Export jobs queued, waiting or running together; a POST beyond gets 429.")
    var exportMaxJobs: Int = 32

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func run() async throws {
        guard ["origin", "intermediate", "edge"].contains(role) else { throw ValidationError("--role must be origin, intermediate or edge") }
        guard let address = ListenAddress(parsing: http) else { throw ValidationError("--http must be HOST:PORT, got '\(http)'") }
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("unknown --log-level '\(logLevel)'") }
        guard let idle = DurationArgument.parse(idleInterval) else {
            throw ValidationError("--idle-interval must be a positive duration up to 1 hour such as 1s, 500ms, 1.5s or 2 (seconds), got '\(idleInterval)'")
        }
        var token: BearerToken?
        if let apiTokenFile {
            guard let text = try? String(contentsOfFile: apiTokenFile, encoding: .utf8) else {
                throw ValidationError("cannot read --api-token-file '\(apiTokenFile)'")
            }
            guard let parsed = BearerToken(text) else { throw ValidationError("--api-token-file '\(apiTokenFile)' is empty") }
            token = parsed
        }
        guard httpMaxConnections > 0, httpMaxConnectionsPerIp >= 0, httpTimeout > 0 else {
            throw ValidationError("--http-max-connections and --http-timeout must be positive, --http-max-connections-per-ip 0 or more")
        }
        guard exportMaxItems > 0, exportMaxJobs > 0 else { throw ValidationError("--export-max-items and --export-max-jobs must be positive") }
        var signer: PlayTokenSigner?
        if let playSecretFile {
            guard let text = try? String(contentsOfFile: playSecretFile, encoding: .utf8) else {
                throw ValidationError("cannot read --play-secret-file '\(playSecretFile)'")
            }
            guard let parsed = PlayTokenSigner(secretFileContents: text) else { throw ValidationError("--play-secret-file '\(playSecretFile)' is empty") }
            signer = parsed
        }
        ProcessLogging.bootstrap(level: level)
        var configuration = ControlPlaneConfiguration(
            role: role, http: address, token: token,
            controlSocket: controlSocket ?? ControlSocketPath.defaultPath(role: role), httpThreads: httpThreads)
        configuration.mediaRoot = media
        configuration.hostINI = hostIni
        configuration.idleInterval = idle
        configuration.httpConnectionLimit = httpMaxConnections
        configuration.httpPerIPConnectionLimit = httpMaxConnectionsPerIp
        configuration.httpTimeoutSeconds = httpTimeout
        configuration.exportLimits.itemsPerJob = exportMaxItems
        configuration.exportLimits.pendingJobs = exportMaxJobs
        configuration.playSigner = signer
        let node: ControlPlaneNode
        do {
            node = try ControlPlaneNode(configuration: configuration, group: MultiThreadedEventLoopGroup.singleton)
        } catch ControlPlaneError.invalidHostINI(let error) {
            // Every bad line as FILE:LINE: message, without the usage text (the flags are fine).
            FileHandle.standardError.write(Data((error.lines + ["lsc-control: refusing to start: \(error.lines.count) problem(s) in the host.ini"])
                .map { $0 + "\n" }.joined().utf8))
            throw ExitCode(78)  // EX_CONFIG
        } catch {
            throw ValidationError("\(error)")
        }
        let services = ServiceGroup(configuration: .init(
            services: node.services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: Logger(label: "control")))
        try await services.run()
    }
}
