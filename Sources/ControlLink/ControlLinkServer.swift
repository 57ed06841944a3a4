import ControlProtocol
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The data plane's end of the control link: a Unix-domain-socket server that `lsc-control`
/// connects to (any number of times, one after another or at once).
///
/// On connect it sends `hello` and a snapshot, then a snapshot every `snapshotInterval`, events
/// as they are emitted, replies to commands, and the client list when asked (`listClients`). It
/// never blocks the relay: `emit` only hands the event to the link's event loop, and a connection
/// whose outgoing buffer is full (a stuck control plane) gets nothing more until it drains; the
/// next snapshot brings it up to date.
public final class ControlLinkServer: DataPlaneEventSink {
    public let path: String
    private let handler: any DataPlaneCommandHandler
    private let group: any EventLoopGroup
    private let snapshotInterval: TimeAmount
    private let logger: Logger
    private let connections = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
    private let listener = NIOLockedValueBox<(any Channel)?>(nil)
    /// Events and snapshots not sent because a control plane did not read fast enough.
    public let dropped = NIOLockedValueBox<UInt64>(0)

    /// Bytes queued to one control plane before further messages are dropped.
    static let outgoingLimit = 8 << 20

    public init(path: String, handler: any DataPlaneCommandHandler, group: any EventLoopGroup,
                snapshotInterval: TimeAmount = .milliseconds(500), logger: Logger = Logger(label: "control.link")) {
        self.path = path; self.handler = handler; self.group = group
        self.snapshotInterval = snapshotInterval; self.logger = logger
    }

    /// Binds the socket (replacing a stale socket file left by a previous run).
    public func start() async throws {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 16)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: Self.outgoingLimit / 2, high: Self.outgoingLimit))
            .childChannelInitializer { [self] channel in
                // Only our own user (or root) may drive the relay: the peer's credentials are
                // checked before any byte is read or sent (SO_PEERCRED).
                PeerCredentials.check(channel, logger: logger).flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(LineFrameDecoder(maxLength: ControlLinkCoding.maxLineLength)))
                    try channel.pipeline.syncOperations.addHandler(ControlLinkServerHandler(server: self))
                }
            }
        do {
            let channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
            // Mode 0600 whatever the umask (under umask 000 the socket was world-writable).
            guard chmod(path, 0o600) == 0 else {
                try? await channel.close()
                throw ControlLinkError.bindFailed(path: path, underlying: "chmod 0600 failed: errno \(errno)")
            }
            listener.withLockedValue { $0 = channel }
            logger.info("control socket listening", metadata: ["path": "\(path)"])
        } catch {
            throw ControlLinkError.bindFailed(path: path, underlying: "\(error)")
        }
    }

    /// Closes the listener and every connection, and removes the socket file.
    public func stop() async {
        let channel = listener.withLockedValue { value in defer { value = nil }; return value }
        try? await channel?.close()
        for connection in connections.withLockedValue({ Array($0.values) }) { try? await connection.close() }
        unlink(path)
    }

    public func emit(_ event: DataPlaneEvent) {
        for channel in connections.withLockedValue({ Array($0.values) }) {
            channel.eventLoop.execute { [self] in send(.event(event), on: channel) }
        }
    }

    // MARK: Connection handling (on the connection's event loop)

    fileprivate func connected(_ channel: any Channel) {
        connections.withLockedValue { $0[ObjectIdentifier(channel)] = channel }
        logger.info("control plane connected")
        send(.hello(handler.hello()), on: channel)
        send(.snapshot(handler.snapshot()), on: channel)
        channel.eventLoop.scheduleRepeatedTask(initialDelay: snapshotInterval, delay: snapshotInterval) { [weak channel, self] task in
            guard let channel, channel.isActive else { task.cancel(); return }
            send(.snapshot(handler.snapshot()), on: channel)
        }
    }

    fileprivate func disconnected(_ channel: any Channel) {
        connections.withLockedValue { _ = $0.removeValue(forKey: ObjectIdentifier(channel)) }
        logger.info("control plane disconnected")
    }

    fileprivate func received(_ line: ByteBuffer, on channel: any Channel) {
        guard let message = ControlLinkCoding.decodeLine(ControlPlaneMessage.self, from: line) else {
            logger.debug("ignoring an unknown control message")
            return
        }
        switch message {
        case .hello(let hello):
            logger.info("control plane said hello", metadata: ["version": "\(hello.softwareVersion)", "protocol": "\(hello.protocolVersion)"])
        case .listClients(let id):
            // Built and encoded here, on the link's own thread as the snapshots are, never on a
            // media loop; not built at all when this control plane does not read (it times out).
            write(on: channel) { try ControlLinkCoding.clientListLine(id: id, clients: handler.clientList(), allocator: $0) }
        case .command(let id, let command):
            let handler = self.handler
            Task { [self] in
                let reply: CommandReply
                switch await handler.execute(command) {
                case .ok(let message): reply = CommandReply(id: id, ok: true, message: message)
                case .failed(let code, let message): reply = CommandReply(id: id, ok: false, errorCode: code, message: message)
                }
                channel.eventLoop.execute { self.send(.reply(reply), on: channel) }
            }
        }
    }

    private func send(_ message: DataPlaneMessage, on channel: any Channel) {
        write(on: channel) { try ControlLinkCoding.encodeLine(message, allocator: $0) }
    }

    /// Writes the line `encode` makes, unless the connection is closed or its outgoing buffer is
    /// full (a stuck control plane: counted in `dropped`, and nothing is encoded).
    private func write(on channel: any Channel, _ encode: (ByteBufferAllocator) throws -> ByteBuffer) {
        guard channel.isActive else { return }
        guard channel.isWritable else { dropped.withLockedValue { $0 += 1 }; return }
        do {
            channel.writeAndFlush(try encode(channel.allocator), promise: nil)
        } catch {
            logger.error("control message encoding failed", metadata: ["error": "\(error)"])
        }
    }
}

/// Errors of the control link.
public enum ControlLinkError: Error, CustomStringConvertible {
    case bindFailed(path: String, underlying: String)

    public var description: String {
        switch self {
        case .bindFailed(let path, let underlying): "cannot listen on control socket \(path): \(underlying)"
        }
    }
}

private final class ControlLinkServerHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let server: ControlLinkServer

    init(server: ControlLinkServer) { self.server = server }

    func channelActive(context: ChannelHandlerContext) {
        server.connected(context.channel)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        server.disconnected(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        server.received(unwrapInboundIn(data), on: context.channel)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
