import ControlProtocol
import ArgumentParser
import ControlLink
import Foundation
import DataPlane
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import RTMP
import ServiceLifecycle

/// `lsc-relay`: the data plane of a LiveStreamCast node. Flags only; the wiring is below.
@main
struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsc-relay",
        abstract: "LiveStreamCast data plane: relays RTMP between encoders, nodes and players.")

    @Option(help: "Node role: origin, intermediate or edge.")
    var role: String = "origin"

    @Option(help: "RTMP listen address HOST:PORT.")
    var rtmp: String = "0.0.0.0:1935"

    @Option(help: "RTMPS (RTMP over TLS) listen address HOST:PORT, next to --rtmp; needs --tls-cert and --tls-key. SIGHUP reloads the certificate.")
    var rtmps: String?

    @Option(help: "RTMPS: PEM certificate (chain) file.")
    var tlsCert: String?

    @Option(help: "RTMPS: PEM private key file.")
    var tlsKey: String?

    @Option(help: "rtmps:// upstreams: PEM file of the CA certificates to verify them with (default: the system trust store).")
    var tlsCa: String?

    @Option(help: "RTMP application served (default: livestreamcast_<role>); connects to other apps are rejected.")
    var app: String?

    @Option(help: "Largest chunk size (bytes) a peer may set.")
    var maxChunkSize: Int = 1 << 20

    @Option(help: "Largest RTMP message (bytes) accepted from a peer.")
    var maxMessageSize: Int = 8 << 20

    @Option(help: "Most chunk stream ids one peer may use.")
    var maxChunkStreams: Int = 64

    @Option(help: "Seconds a peer has to complete the RTMP handshake.")
    var handshakeTimeout: Double = 5

    @Option(help: "Most connections served at once; more are refused.")
    var maxConnections: Int = 10_000

    @Option(help: "Bytes queued to one player before it skips to the next keyframe.")
    var playerQueueBytes: Int = 4 << 20

    @Option(help: "Seconds a player may stay behind before it is disconnected.")
    var playerMaxLag: Double = 10

    @Option(help: "Event loop threads (default: one per core).")
    var threads: Int = System.coreCount

    @Option(help: "Media root: DVR recordings in DIR/dvr, exports in DIR/exports, clips in DIR/sources.")
    var media: String = "./media"

    @Option(help: "DVR: 'all' records every published stream, 'off' only those started with startRecording (default: all on an origin, off elsewhere).")
    var dvr: String?

    @Option(help: "DVR retention: remove recorded segments that ended more than this many seconds ago (default: keep).")
    var dvrMaxAge: Double?

    @Option(help: "DVR retention: keep all recordings together under this many bytes, oldest segments removed first (default: no limit).")
    var dvrMaxBytes: UInt64?

    @Option(help: "DVR segment file size in bytes (a new segment starts at the next keyframe past it).")
    var dvrSegmentBytes: UInt64 = 256 << 20

    @Option(help: "Control socket lsc-control connects to (default: ./lsc-<role>.sock, the same default as lsc-control).")
    var controlSocket: String?

    @Option(help: "File holding the shared secret child nodes must present in FCAddChild (default: registration open).")
    var clusterSecretFile: String?

    @Option(help: "Intermediate/edge: seconds a stream pulled from upstream stays pulled after its last player leaves.")
    var pullGrace: Double = 5

    @Option(help: "Intermediate/edge: seconds players wait for a stream no upstream delivers before they get NetStream.Play.StreamNotFound.")
    var pullTimeout: Double = 10

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func run() async throws {
        guard let role = NodeRole(rawValue: role) else { throw ValidationError("--role must be origin, intermediate or edge") }
        guard let address = ListenAddress(parsing: rtmp, defaultHost: "0.0.0.0") else { throw ValidationError("--rtmp must be HOST:PORT, got '\(rtmp)'") }
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("unknown --log-level '\(logLevel)'") }
        ProcessLogging.bootstrap(level: level)
        let recordAll: Bool
        switch dvr {
        case nil: recordAll = role == .origin
        case "all": recordAll = true
        case "off": recordAll = false
        case let other?: throw ValidationError("--dvr must be 'all' or 'off', got '\(other)'")
        }
        let recording = DVRRecorder.Configuration(mediaRoot: media, recordAll: recordAll, maxAge: dvrMaxAge, maxBytes: dvrMaxBytes,
                                                  segmentBytes: max(1 << 20, dvrSegmentBytes))
        var clusterSecret: String?
        if let clusterSecretFile {
            guard let text = try? String(contentsOfFile: clusterSecretFile, encoding: .utf8),
                  !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw ValidationError("--cluster-secret-file \(clusterSecretFile): cannot read a non-empty secret")
            }
            clusterSecret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard pullGrace >= 0, pullGrace <= 3600 else { throw ValidationError("--pull-grace must be between 0 and 3600 seconds") }
        var configuration = RelayConfiguration(
            role: role, app: app, host: address.host, port: address.port,
            chunkLimits: ChunkDecoderLimits(maxChunkSize: maxChunkSize, maxMessageSize: maxMessageSize, maxChunkStreams: maxChunkStreams),
            handshakeTimeout: .milliseconds(Int64(handshakeTimeout * 1000)), maxConnections: maxConnections,
            playerQueueLimit: playerQueueBytes, playerMaxLag: .milliseconds(Int64(playerMaxLag * 1000)), threads: threads,
            clusterSecret: clusterSecret, dvr: recording, mediaRoot: media)
        configuration.pullGracePeriod = .milliseconds(Int64(pullGrace * 1000))
        guard pullTimeout > 0, pullTimeout <= 3600 else { throw ValidationError("--pull-timeout must be between 0 and 3600 seconds") }
        configuration.pullTimeout = .milliseconds(Int64(pullTimeout * 1000))
        var clientTLS = TLSConfiguration.makeClientConfiguration()
        if let tlsCa {
            guard FileManager.default.isReadableFile(atPath: tlsCa) else { throw ValidationError("--tls-ca \(tlsCa): cannot read the file") }
            clientTLS.trustRoots = .file(tlsCa)
        }
        do {
            configuration.upstreamTLS = try NIOSSLContext(configuration: clientTLS)
        } catch {
            if let tlsCa { throw ValidationError("--tls-ca \(tlsCa): \(error)") }
            // No usable system trust store: rtmps:// upstreams then fail verification (and say so)
            // rather than the relay refusing to start for a feature it may not use.
            clientTLS.trustRoots = .certificates([])
            configuration.upstreamTLS = try? NIOSSLContext(configuration: clientTLS)
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let node = RelayNode(configuration: configuration, group: group)
        var listeners: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: RTMPServer(node: node, group: group))]
        if let rtmps {
            guard let secure = ListenAddress(parsing: rtmps, defaultHost: "0.0.0.0") else { throw ValidationError("--rtmps must be HOST:PORT, got '\(rtmps)'") }
            guard let tlsCert, let tlsKey else { throw ValidationError("--rtmps needs --tls-cert FILE and --tls-key FILE") }
            let certificates: TLSCertificateStore
            do {
                certificates = try TLSCertificateStore(certificatePath: tlsCert, keyPath: tlsKey)
            } catch {
                throw ValidationError("--tls-cert/--tls-key: \(error)")
            }
            listeners.append(.init(service: RTMPServer(node: node, group: group, host: secure.host, port: secure.port, tls: certificates)))
        }
        let controlLink = ControlLinkServer(path: controlSocket ?? ControlSocketPath.defaultPath(role: role.rawValue),
                                            handler: node, group: group)
        node.events.attach(controlLink)
        try await controlLink.start()
        let services = ServiceGroup(configuration: .init(
            services: listeners,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: Logger(label: "relay")))
        try await services.run()
        await controlLink.stop()
        node.upstreams.shutdown()
        // Close recordings cleanly (their `closed` record) before the process ends.
        node.recorder?.shutdown()
        try await group.shutdownGracefully()
    }
}
