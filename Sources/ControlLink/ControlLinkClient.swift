import ControlProtocol
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The control plane's end of the control link: connects to the data plane's socket, reconnects
/// with backoff forever, keeps the latest hello and snapshot, runs commands with a timeout, and
/// hands events to subscribers (e.g. the failover driver).
public final class ControlLinkClient: Sendable {
    public let path: String
    private let group: any EventLoopGroup
    private let hello: Hello
    private let commandTimeout: Duration
    private let logger: Logger
    private let box = NIOLockedValueBox(Inner())

    private struct Inner {
        var state = ControlLinkState()
        var channel: (any Channel)?
        var nextCommandID: UInt64 = 1
        var pending: [UInt64: CheckedContinuation<CommandReply, Never>] = [:]
        var subscribers: [UInt64: AsyncStream<ControlLinkEvent>.Continuation] = [:]
        var nextSubscriberID: UInt64 = 1
    }

    /// Backoff between connection attempts: doubles from `minimum` to `maximum`, so a data plane
    /// that comes back is found within `maximum`.
    static let minimumBackoff: Duration = .milliseconds(50)
    static let maximumBackoff: Duration = .milliseconds(500)

    public init(path: String, group: any EventLoopGroup, hello: Hello, commandTimeout: Duration = .seconds(5),
                logger: Logger = Logger(label: "control.link")) {
        self.path = path; self.group = group; self.hello = hello
        self.commandTimeout = commandTimeout; self.logger = logger
    }

    /// The latest view of the data plane.
    public var state: ControlLinkState { box.withLockedValue { $0.state } }

    /// Events from now on; the stream ends when the subscriber stops iterating or `run` ends.
    public func subscribe() -> AsyncStream<ControlLinkEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: ControlLinkEvent.self, bufferingPolicy: .bufferingNewest(10_000))
        let id = box.withLockedValue { inner in
            defer { inner.nextSubscriberID += 1 }
            inner.subscribers[inner.nextSubscriberID] = continuation
            return inner.nextSubscriberID
        }
        continuation.onTermination = { [box] _ in box.withLockedValue { _ = $0.subscribers.removeValue(forKey: id) } }
        return stream
    }

    /// Connects and reconnects until the task is cancelled.
    public func run() async {
        var backoff = Self.minimumBackoff
        var lastFailure = ""
        while !Task.isCancelled {
            do {
                let channel = try await connect()
                backoff = Self.minimumBackoff
                lastFailure = ""
                try? await withTaskCancellationHandler {
                    try await channel.closeFuture.get()
                } onCancel: {
                    channel.close(promise: nil)
                }
            } catch {
                let failure = "\(error)"
                if failure != lastFailure { logger.debug("control socket not reachable", metadata: ["path": "\(path)", "error": "\(failure)"]) }
                lastFailure = failure
            }
            if Task.isCancelled { break }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, Self.maximumBackoff)
        }
        // Finished outside the lock: `onTermination` takes it.
        let subscribers = box.withLockedValue { inner in
            defer { inner.subscribers = [:] }
            return Array(inner.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }

    /// Sends a command and waits for its reply; without a link or a reply within the timeout the
    /// reply has `ok == false` and `errorCode` "link-down" or "timeout".
    public func send(_ command: ControlCommand) async -> CommandReply {
        await request { .command(id: $0, command) }
    }

    /// Asks for the data plane's client list (protocol 2 and later) and waits for it: a reply with
    /// `clients`, or `ok == false` as for `send(_:)` ("too-large" when the list would not fit on
    /// one line).
    public func listClients() async -> CommandReply {
        await request { .listClients(id: $0) }
    }

    /// Sends the message `message` makes with a fresh id, and waits for the reply with that id.
    private func request(_ message: (UInt64) -> ControlPlaneMessage) async -> CommandReply {
        let (id, channel) = box.withLockedValue { inner in
            defer { inner.nextCommandID += 1 }
            return (inner.nextCommandID, inner.state.connected ? inner.channel : nil)
        }
        guard let channel else { return CommandReply(id: id, ok: false, errorCode: "link-down", message: "the data plane is not connected") }
        let outgoing = message(id)
        let timeout = Task { [box, commandTimeout] in
            try await Task.sleep(for: commandTimeout)
            box.withLockedValue { $0.pending.removeValue(forKey: id) }?
                .resume(returning: CommandReply(id: id, ok: false, errorCode: "timeout", message: "the data plane did not answer in time"))
        }
        defer { timeout.cancel() }
        return await withCheckedContinuation { continuation in
            box.withLockedValue { $0.pending[id] = continuation }
            do {
                let line = try ControlLinkCoding.encodeLine(outgoing, allocator: channel.allocator)
                channel.writeAndFlush(line).whenFailure { [box] _ in
                    box.withLockedValue { $0.pending.removeValue(forKey: id) }?
                        .resume(returning: CommandReply(id: id, ok: false, errorCode: "link-down", message: "the control link closed"))
                }
            } catch {
                box.withLockedValue { $0.pending.removeValue(forKey: id) }?
                    .resume(returning: CommandReply(id: id, ok: false, errorCode: "bad-request", message: "command encoding failed: \(error)"))
            }
        }
    }

    // MARK: Connection

    private func connect() async throws -> any Channel {
        let bootstrap = ClientBootstrap(group: group)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(LineFrameDecoder(maxLength: ControlLinkCoding.maxLineLength)))
                    try channel.pipeline.syncOperations.addHandler(ControlLinkClientHandler(client: self))
                }
            }
        let channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
        box.withLockedValue { $0.channel = channel }
        channel.closeFuture.whenComplete { [self] _ in linkClosed(channel) }
        channel.writeAndFlush(try ControlLinkCoding.encodeLine(ControlPlaneMessage.hello(hello), allocator: channel.allocator), promise: nil)
        return channel
    }

    private func linkClosed(_ channel: any Channel) {
        let (wasUp, pending, subscribers) = box.withLockedValue { inner in
            guard inner.channel === channel else { return (false, [CheckedContinuation<CommandReply, Never>](), [AsyncStream<ControlLinkEvent>.Continuation]()) }
            let wasUp = inner.state.connected
            inner.channel = nil
            inner.state.connected = false
            inner.state.snapshot = nil
            defer { inner.pending = [:] }
            return (wasUp, Array(inner.pending.values), Array(inner.subscribers.values))
        }
        for continuation in pending {
            continuation.resume(returning: CommandReply(id: 0, ok: false, errorCode: "link-down", message: "the control link closed"))
        }
        if wasUp {
            logger.warning("data plane disconnected", metadata: ["path": "\(path)"])
            for subscriber in subscribers { subscriber.yield(.disconnected) }
        }
    }

    fileprivate func received(_ line: ByteBuffer, on channel: any Channel) {
        guard let message = ControlLinkCoding.decodeLine(DataPlaneMessage.self, from: line) else {
            logger.debug("ignoring an unknown data-plane message")
            return
        }
        switch message {
        case .hello(let hello):
            if hello.protocolVersion != ControlProtocolVersion.current {
                logger.notice("data plane speaks another protocol version", metadata: [
                    "theirs": "\(hello.protocolVersion)", "ours": "\(ControlProtocolVersion.current)"])
            }
            let subscribers = box.withLockedValue { inner in
                // The hello can arrive before `connect()` has stored the channel: store it here, or
                // the commands subscribers send at once would find no channel ("link-down").
                inner.channel = channel
                inner.state.hello = hello
                inner.state.connected = true
                return Array(inner.subscribers.values)
            }
            logger.info("data plane connected", metadata: ["role": "\(hello.role)", "version": "\(hello.softwareVersion)"])
            for subscriber in subscribers { subscriber.yield(.connected(hello)) }
        case .snapshot(let snapshot):
            box.withLockedValue { inner in
                inner.state.snapshot = snapshot
                inner.state.generation += 1
            }
        case .event(let event):
            for subscriber in box.withLockedValue({ Array($0.subscribers.values) }) { subscriber.yield(.event(event)) }
        case .reply(let reply):
            box.withLockedValue { $0.pending.removeValue(forKey: reply.id) }?.resume(returning: reply)
        }
    }
}

private final class ControlLinkClientHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let client: ControlLinkClient

    init(client: ControlLinkClient) { self.client = client }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        client.received(unwrapInboundIn(data), on: context.channel)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
