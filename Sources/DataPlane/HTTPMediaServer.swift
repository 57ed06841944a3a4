import Atomics
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Recording
import ServiceLifecycle

/// The relay's HTTP media listener (`lsc-relay --http`), as a service: HTTP/1.1 with NIOHTTP1,
/// bounded connections and idle time; headers and request lines beyond NIOHTTP1's parser limit
/// (80 KiB) are refused by the parser.
public final class HTTPMediaServer: Service, Sendable {
    private let node: RelayNode
    private let configuration: HTTPDeliveryConfiguration
    private let group: MultiThreadedEventLoopGroup
    private let logger = Logger(label: "relay.http")
    private let connections = ManagedAtomic(0)

    public init(node: RelayNode, configuration: HTTPDeliveryConfiguration, group: MultiThreadedEventLoopGroup) {
        self.node = node
        self.configuration = configuration
        self.group = group
    }

    /// Binds the listener; returns the bound channel (its local address has the real port).
    public func bind() async throws -> any Channel {
        let library = node.configuration.mediaRoot.map { VODLibrary(mediaRoot: $0, files: LocalDVRFileSystem()) }
        let services = HTTPMediaServices(app: node.configuration.app, configuration: configuration, outputs: node.http,
                                         dvr: library.map { HTTPDVRResponder(library: $0) },
                                         files: library.map { HTTPFileResponder(library: $0, threadPool: .singleton) },
                                         clips: library.map { HTTPClipResponder(library: $0) },
                                         threadPool: .singleton, pullTimeout: node.configuration.pullTimeout,
                                         access: HTTPPlayAccess(app: node.configuration.app, signer: node.configuration.playSigner,
                                                                clients: node.clients, logger: logger))
        let connections = self.connections
        let limit = configuration.maxConnections
        let idle = configuration.idleTimeout
        let queueLimit = node.configuration.playerQueueLimit
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: queueLimit / 2, high: queueLimit))
            .childChannelInitializer { channel in
                guard connections.loadThenWrappingIncrement(ordering: .relaxed) < limit else {
                    connections.wrappingDecrement(ordering: .relaxed)
                    return channel.close()
                }
                channel.closeFuture.whenComplete { _ in connections.wrappingDecrement(ordering: .relaxed) }
                return channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.configureHTTPServerPipeline(withErrorHandling: true)
                    try sync.addHandler(IdleStateHandler(allTimeout: idle))
                    try sync.addHandler(HTTPMediaHandler(services: services))
                }
            }
        do {
            return try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            throw RTMPServerError.bindFailed(address: "\(configuration.host):\(configuration.port) (HTTP)", underlying: "\(error)")
        }
    }

    public func run() async throws {
        let channel = try await bind()
        logger.info("HTTP listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
        try? await gracefulShutdown()
        logger.info("shutting down HTTP listener")
        node.http?.shutdown()
        try? await channel.close()
    }
}
