import ControlProtocol
import ArgumentParser
import ControlLink
import Foundation
import DataPlane
import Logging
import NIOCore
import NIOPosix
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
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let node = RelayNode(configuration: configuration, group: group)
        let server = RTMPServer(node: node, group: group)
        let controlLink = ControlLinkServer(path: controlSocket ?? ControlSocketPath.defaultPath(role: role.rawValue),
                                            handler: node, group: group)
        node.events.attach(controlLink)
        try await controlLink.start()
        let services = ServiceGroup(configuration: .init(
            services: [.init(service: server)] + (configuration.http.map { [.init(service: HTTPMediaServer(node: node, configuration: $0, group: group))] } ?? []),
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
