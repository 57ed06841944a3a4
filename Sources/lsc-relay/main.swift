import ControlProtocol
import ArgumentParser
import ControlLink
import Foundation
import DataPlane
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PlayAuthorization
import RTMP
import ServiceLifecycle
import UnixSignals

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

    @Option(help: "Bytes all unfinished RTMP messages of one connection may hold together; past it the connection is closed (counted as buffer-limit).")
    var maxConnectionBuffer: Int = ChunkDecoderLimits.defaultMaxBufferedBytes

    @Option(help: "Seconds a connection may stay after its handshake without publishing, playing or registering as a child node.")
    var idleTimeout: Double = 30

    @Option(help: "Milliseconds a source's frames may wait to reach the players of a stream with at least --merge-write-min-players players as one batch (one write per player, up to that much more latency); 0: one batch per read.")
    var mergeWrite: Int = 40

    @Option(help: "Players a stream needs before --merge-write applies to it (below: one batch per read, lowest latency).")
    var mergeWriteMinPlayers: Int = 100

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

    @Option(help: "Publish keys file: lines '<stream-name> <key>' ('*' for any name, '#' comments); publishers give ?key=... in the stream name or the connect URL. Re-read on SIGHUP.")
    var publishKeys: String?

    @Option(help: "'open' lets anyone publish any name; required for an origin on a non-loopback address without --publish-keys.")
    var publish: String?

    @Option(help: "File holding the secret for signed play URLs: players then need ?expires=<unix>&token=<hex HMAC-SHA256(secret, \"<app>/<stream>:<expires>\")>.")
    var playSecretFile: String?

    @Option(help: "Intermediate/edge: seconds a stream pulled from upstream stays pulled after its last player leaves.")
    var pullGrace: Double = 5

    @Option(help: "Intermediate/edge: seconds players wait for a stream no upstream delivers before they get NetStream.Play.StreamNotFound.")
    var pullTimeout: Double = 10

    @Option(help: "HTTP media listen address HOST:PORT (HTTP-FLV, fMP4, LL-HLS, DVR rewind, files, player page), or 'off'.")
    var http: String = "0.0.0.0:8935"

    @Option(help: "LL-HLS part target in seconds (parts are cut at or below it, and at every keyframe).")
    var hlsPartTarget: Double = 0.5

    @Option(help: "LL-HLS segment target in seconds (a segment ends at the first keyframe past it).")
    var hlsSegmentTarget: Double = 1.0

    @Option(help: "LL-HLS segments kept in memory per stream (and listed in its playlist).")
    var hlsWindow: Int = 7

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
        // Durations from flags: finite and bounded before they become integers (inf/NaN trap).
        for (flag, value) in [("--handshake-timeout", handshakeTimeout), ("--player-max-lag", playerMaxLag),
                              ("--pull-grace", pullGrace), ("--pull-timeout", pullTimeout)] {
            guard value.isFinite, value >= 0, value <= 86_400 else { throw ValidationError("\(flag) must be between 0 and 86400 seconds") }
        }
        var publishKeysFile: PublishKeys?
        if let publishKeys {
            do {
                publishKeysFile = try AccessPolicy.loadPublishKeys(path: publishKeys)
            } catch {
                throw ValidationError("--publish-keys: \(error)")
            }
        }
        switch publish {
        case nil, "keys": break
        case "open": guard publishKeys == nil else { throw ValidationError("--publish open and --publish-keys exclude each other") }
        case let other?: throw ValidationError("--publish must be 'open', got '\(other)'")
        }
        var playSigner: PlayTokenSigner?
        if let playSecretFile {
            guard let text = try? String(contentsOfFile: playSecretFile, encoding: .utf8),
                  let signer = PlayTokenSigner(secretFileContents: text) else {
                throw ValidationError("--play-secret-file \(playSecretFile): cannot read a non-empty secret")
            }
            playSigner = signer
        }
        guard pullGrace >= 0, pullGrace <= 3600 else { throw ValidationError("--pull-grace must be between 0 and 3600 seconds") }
        var configuration = RelayConfiguration(
            role: role, app: app, host: address.host, port: address.port,
            chunkLimits: ChunkDecoderLimits(maxChunkSize: maxChunkSize, maxMessageSize: maxMessageSize, maxChunkStreams: maxChunkStreams,
                                            maxBufferedBytes: maxConnectionBuffer),
            handshakeTimeout: .milliseconds(Int64(handshakeTimeout * 1000)), maxConnections: maxConnections,
            playerQueueLimit: playerQueueBytes, playerMaxLag: .milliseconds(Int64(playerMaxLag * 1000)), threads: threads,
            clusterSecret: clusterSecret, dvr: recording, mediaRoot: media)
        configuration.publishKeys = publishKeysFile
        configuration.publishKeysPath = publishKeys
        configuration.publishOpen = publish == "open"
        configuration.playSigner = playSigner
        if let problem = configuration.publishPolicyProblem {
            // Secure by default: refuse to start (EX_CONFIG) rather than serve an open origin.
            FileHandle.standardError.write(Data("lsc-relay: \(problem)\n".utf8))
            throw ExitCode(78)
        }
        configuration.pullGracePeriod = .milliseconds(Int64(pullGrace * 1000))
        guard idleTimeout > 0, idleTimeout <= 86_400 else { throw ValidationError("--idle-timeout must be between 0 and 86400 seconds") }
        configuration.idleTimeout = .milliseconds(Int64(idleTimeout * 1000))
        guard mergeWrite >= 0, mergeWrite <= 1000 else { throw ValidationError("--merge-write must be between 0 and 1000 milliseconds") }
        configuration.mergeWrite = .milliseconds(Int64(mergeWrite))
        guard mergeWriteMinPlayers >= 0 else { throw ValidationError("--merge-write-min-players must be 0 or more") }
        configuration.mergeWriteMinPlayers = mergeWriteMinPlayers
        guard maxConnectionBuffer >= 1 << 16 else { throw ValidationError("--max-connection-buffer must be at least 65536 bytes") }
        guard pullTimeout > 0, pullTimeout <= 3600 else { throw ValidationError("--pull-timeout must be between 0 and 3600 seconds") }
        configuration.pullTimeout = .milliseconds(Int64(pullTimeout * 1000))
        if http != "off" {
            guard let httpAddress = ListenAddress(parsing: http, defaultHost: "0.0.0.0") else {
                throw ValidationError("--http must be HOST:PORT or 'off', got '\(http)'")
            }
            guard hlsPartTarget >= 0.1, hlsPartTarget <= 5, hlsSegmentTarget >= hlsPartTarget, hlsSegmentTarget <= 30 else {
                throw ValidationError("--hls-part-target must be 0.1–5 s and --hls-segment-target at least that and at most 30 s")
            }
            guard hlsWindow >= 3, hlsWindow <= 100 else { throw ValidationError("--hls-window must be between 3 and 100") }
            configuration.http = HTTPDeliveryConfiguration(
                host: httpAddress.host, port: httpAddress.port,
                muxer: .init(partTarget: hlsPartTarget, segmentTarget: hlsSegmentTarget), windowSegments: hlsWindow,
                maxConnections: maxConnections)
        }
        if let tlsCa {
            guard FileManager.default.isReadableFile(atPath: tlsCa) else { throw ValidationError("--tls-ca \(tlsCa): cannot read the file") }
            var clientTLS = TLSConfiguration.makeClientConfiguration()
            clientTLS.trustRoots = .file(tlsCa)
            do {
                configuration.upstreamTLS = UpstreamTLS(context: try NIOSSLContext(configuration: clientTLS))
            } catch {
                throw ValidationError("--tls-ca \(tlsCa): \(error)")
            }
        } else {
            // The system trust store (every CA certificate parsed into memory) is loaded on the
            // first rtmps:// upstream, not by every node at start.
            configuration.upstreamTLS = UpstreamTLS {
                var clientTLS = TLSConfiguration.makeClientConfiguration()
                if let context = try? NIOSSLContext(configuration: clientTLS) { return context }
                // No usable system trust store: rtmps:// upstreams then fail verification (and say so)
                // rather than the relay refusing to start for a feature it may not use.
                clientTLS.trustRoots = .certificates([])
                return try? NIOSSLContext(configuration: clientTLS)
            }
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
        // The control link (a snapshot of every stream and client encoded every 500 ms, commands)
        // has a thread of its own, off the media event loops.
        let controlGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let controlLink = ControlLinkServer(path: controlSocket ?? ControlSocketPath.defaultPath(role: role.rawValue),
                                            handler: node, group: controlGroup)
        node.events.attach(controlLink)
        try await controlLink.start()
        let logger = Logger(label: "relay")
        if let path = configuration.publishKeysPath {
            logger.info("publish keys loaded", metadata: ["path": "\(path)", "keys": "\(configuration.publishKeys?.count ?? 0)"])
        }
        // SIGHUP re-reads the publish keys; a bad file keeps the keys in use.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let reloader = Task {
            for await _ in hangups {
                do {
                    let count = try node.access.reload()
                    logger.notice("publish keys re-read", metadata: ["keys": "\(count)"])
                } catch {
                    logger.error("publish keys not re-read, keeping the previous ones: \(error)")
                }
            }
        }
        defer { reloader.cancel() }
        let services = ServiceGroup(configuration: .init(
            services: listeners + (configuration.http.map { [.init(service: HTTPMediaServer(node: node, configuration: $0, group: group))] } ?? []),
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await services.run()
        await controlLink.stop()
        node.upstreams.shutdown()
        // Close recordings cleanly (their `closed` record) before the process ends.
        node.recorder?.shutdown()
        try await group.shutdownGracefully()
        try await controlGroup.shutdownGracefully()
    }
}
