import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import UnixSignals

/// The RTMP listener of a relay node, as a service: binds, serves until graceful shutdown,
/// then closes the listener and every connection. With `tls`, it is an RTMPS listener: TLS
/// first, then the same RTMP connection; SIGHUP reloads the certificate for new connections.
public final class RTMPServer: Service, Sendable {
    private let node: RelayNode
    private let group: MultiThreadedEventLoopGroup
    private let logger: Logger
    private let host: String
    private let port: Int
    private let tls: TLSCertificateStore?

    /// The plain RTMP listener on the configuration's address.
    public convenience init(node: RelayNode, group: MultiThreadedEventLoopGroup) {
        self.init(node: node, group: group, host: node.configuration.host, port: node.configuration.port, tls: nil)
    }

    /// A listener on `host:port`; RTMPS when `tls` is given.
    public init(node: RelayNode, group: MultiThreadedEventLoopGroup, host: String, port: Int, tls: TLSCertificateStore?) {
        self.node = node
        self.group = group
        self.host = host
        self.port = port
        self.tls = tls
        self.logger = Logger(label: tls == nil ? "relay.rtmp" : "relay.rtmps")
    }

    /// Binds the listener; returns the bound channel (its local address has the real port).
    public func bind() async throws -> any Channel {
        let node = self.node
        let tls = self.tls
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: node.configuration.playerQueueLimit / 2,
                                                                    high: node.configuration.playerQueueLimit))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try RTMPConnection.configure(channel, node: node, tls: tls?.context)
                }
            }
        do {
            return try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw RTMPServerError.bindFailed(address: "\(host):\(port)", underlying: "\(error)")
        }
    }

    public func run() async throws {
        let channel = try await bind()
        logger.info(tls == nil ? "RTMP listening" : "RTMPS listening", metadata: [
            "address": "\(channel.localAddress.map { "\($0)" } ?? "?")",
            "role": "\(node.configuration.role.rawValue)", "app": "\(node.configuration.app)",
        ])
        if let tls {
            let signals = await UnixSignalsSequence(trapping: .sighup)
            let logger = self.logger
            await cancelWhenGracefulShutdown {
                for await _ in signals { tls.reload(logger: logger) }
            }
        } else {
            try? await gracefulShutdown()
        }
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
