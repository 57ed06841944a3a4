import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The RTMP listener of a relay node, as a service: binds, serves until graceful shutdown,
/// then closes the listener and every connection.
public final class RTMPServer: Service, Sendable {
    private let node: RelayNode
    private let group: MultiThreadedEventLoopGroup
    private let logger: Logger

    public init(node: RelayNode, group: MultiThreadedEventLoopGroup) {
        self.node = node
        self.group = group
        self.logger = Logger(label: "relay.rtmp")
    }

    /// Binds the listener; returns the bound channel (its local address has the real port).
    public func bind() async throws -> any Channel {
        let node = self.node
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: node.configuration.playerQueueLimit / 2,
                                                                    high: node.configuration.playerQueueLimit))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try RTMPConnection.configure(channel, node: node)
                }
            }
        do {
            return try await bootstrap.bind(host: node.configuration.host, port: node.configuration.port).get()
        } catch {
            throw RTMPServerError.bindFailed(address: "\(node.configuration.host):\(node.configuration.port)", underlying: "\(error)")
        }
    }

    public func run() async throws {
        let channel = try await bind()
        logger.info("RTMP listening", metadata: [
            "address": "\(channel.localAddress.map { "\($0)" } ?? "?")",
            "role": "\(node.configuration.role.rawValue)", "app": "\(node.configuration.app)",
        ])
        try? await gracefulShutdown()
        logger.info("shutting down RTMP listener")
        try? await channel.close()
    }
}

/// Start-up failures of the RTMP listener.
public enum RTMPServerError: Error, CustomStringConvertible {
    case bindFailed(address: String, underlying: String)

    public var description: String {
        switch self {
        case .bindFailed(let address, let underlying): return "cannot listen for RTMP on \(address): \(underlying)"
        }
    }
}
