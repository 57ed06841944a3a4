import ControlProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import RTMP

/// This node's registration with one upstream server (`connect` + `FCAddChild` with the cluster
/// secret, then `addStream`/`removeStream` notifications), and the plays of streams from it.
///
/// It reports what it learns as data-plane events and decides nothing: the control plane's
/// failover state machine says what to play and which play feeds the local stream. When the
/// registration connection is lost, every play from that server ends with it. A stock upstream
/// that ignores `FCAddChild` (nginx-rtmp) works the same way: it just never announces streams.
///
/// Everything runs on `eventLoop`; the manager calls in through the methods below.
final class UpstreamSession: RTMPClientDelegate, @unchecked Sendable {
    /// What the manager and the snapshot read from other threads.
    struct Status: Sendable {
        var state = "connecting"
        var announced: Set<String> = []
        var playing: Set<String> = []
        var feeding: Set<String> = []
    }

    let target: UpstreamTarget
    let eventLoop: any EventLoop
    let status = NIOLockedValueBox(Status())
    private let links: UpstreamManager.NodeLinks
    private let idleInterval: @Sendable () -> TimeAmount
    private let onClose: @Sendable (UpstreamSession) -> Void
    /// The stream stopped on this upstream while this session fed it (see `UpstreamManager.streamLost`).
    private let onStreamLost: @Sendable (String, UpstreamTarget) -> Void
    private let logger: Logger
    private var client: RTMPClientHandler?
    private var plays: [String: UpstreamPlay] = [:]
    private var idleCheck: RepeatedTask?
    private var closed = false
    private var reportsClose = true

    private static let addChildTransaction: Double = 2

    init(target: UpstreamTarget, eventLoop: any EventLoop, links: UpstreamManager.NodeLinks,
         idleInterval: @escaping @Sendable () -> TimeAmount, onClose: @escaping @Sendable (UpstreamSession) -> Void,
         onStreamLost: @escaping @Sendable (String, UpstreamTarget) -> Void = { _, _ in }) {
        self.target = target
        self.eventLoop = eventLoop
        self.links = links
        self.idleInterval = idleInterval
        self.onClose = onClose
        self.onStreamLost = onStreamLost
        var logger = Logger(label: "relay.upstream")
        logger[metadataKey: "upstream"] = "\(target.id)"
        self.logger = logger
    }

    // MARK: Called by the manager (any thread)

    func open() { eventLoop.execute { self.connect() } }
    func play(_ stream: String) { eventLoop.execute { self.startPlay(stream) } }
    func stopPlay(_ stream: String) { eventLoop.execute { self.endPlay(stream) } }
    func activate(_ stream: String, sourceID: String) { eventLoop.execute { self.makeSource(stream, sourceID: sourceID) } }
    func deactivate(_ stream: String) { eventLoop.execute { self.stopFeeding(stream) } }
    /// Closes the connection on the control plane's request: no `upstreamDisconnected` event (the
    /// command's reply says it), so a late report cannot fail over a connection made afresh.
    func close(reason: String) {
        eventLoop.execute {
            self.reportsClose = false
            self.client?.close(reason: reason)
        }
    }

    // MARK: Registration

    private func connect() {
        // Closed before it was opened (reset right after connect): stay closed.
        guard reportsClose else { return }
        client = RTMPClientHandler.open(host: target.host, port: target.port, app: target.app,
                                        limits: links.configuration.chunkLimits,
                                        tls: target.tls == true ? links.configuration.upstreamTLS?.context : nil, on: eventLoop, delegate: self)
        let period = TimeAmount.nanoseconds(max(idleInterval().nanoseconds / 4, 50_000_000))
        idleCheck = eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { [weak self] _ in self?.checkIdle() }
    }

    func clientConnected(_ client: RTMPClientHandler) {
        client.send(ClientRequests.addChild(transactionID: Self.addChildTransaction, secret: links.configuration.clusterSecret,
                                            app: links.configuration.app))
        status.withLockedValue { $0.state = "connected" }
        logger.info("connected to upstream")
        links.events.emit(.upstreamConnected(server: target.id))
        // Plays asked for while connecting.
        for play in plays.values { play.start(on: eventLoop, limits: links.configuration.chunkLimits, clusterSecret: links.configuration.clusterSecret,
                                                  tls: links.configuration.upstreamTLS) }
    }

    func client(_ client: RTMPClientHandler, received message: RTMPMessage) {
        guard message.type == .commandAMF0 || message.type == .commandAMF3,
              let command = try? CommandMessage(message: message) else { return }
        switch RTMPCommand(command) {
        case .error(Self.addChildTransaction, _, let arguments):
            // The parent closes the connection after this; say why.
            let reason = "upstream refused FCAddChild: \(arguments.first?["description"]?.stringValue ?? "error")"
            logger.error("\(reason)")
            client.close(reason: reason)
        case .addStream(let name):
            guard let stream = try? StreamName.normalize(name) else { return }
            status.withLockedValue { _ = $0.announced.insert(stream) }
            links.children.announce(stream, from: target.id)
            links.events.emit(.upstreamStreamAdded(server: target.id, stream: stream))
        case .removeStream(let name):
            guard let stream = try? StreamName.normalize(name) else { return }
            status.withLockedValue { _ = $0.announced.remove(stream) }
            links.children.withdraw(stream, from: target.id)
            links.events.emit(.upstreamStreamRemoved(server: target.id, stream: stream))
        default:
            break
        }
    }

    func clientClosed(_ client: RTMPClientHandler, reason: String) {
        guard !closed else { return }
        closed = true
        idleCheck?.cancel()
        idleCheck = nil
        logger.info("upstream connection closed", metadata: ["reason": "\(reason)"])
        for play in plays.values { play.stop() }
        plays = [:]
        links.children.withdrawAll(from: target.id)
        status.withLockedValue { $0 = Status(state: "disconnected") }
        // Out of the manager's table first, so that a reconnect the event triggers finds no stale session.
        onClose(self)
        if reportsClose { links.events.emit(.upstreamDisconnected(server: target.id, reason: reason)) }
    }

    // MARK: Plays

    private func startPlay(_ stream: String) {
        guard plays[stream] == nil, !closed else { return }
        let target = self.target
        let play = UpstreamPlay(stream: stream, target: target, hub: links.hub, events: links.events, merge: links.configuration.merge,
                                onEnded: { [weak self] ended in self?.removePlay(ended) },
                                onUnpublished: { [onStreamLost] play in onStreamLost(play.stream, target) })
        plays[stream] = play
        status.withLockedValue { _ = $0.playing.insert(stream) }
        if client?.isConnected == true { play.start(on: eventLoop, limits: links.configuration.chunkLimits, clusterSecret: links.configuration.clusterSecret,
                                                                         tls: links.configuration.upstreamTLS) }
    }

    private func removePlay(_ play: UpstreamPlay) {
        guard plays[play.stream] === play else { return }
        plays[play.stream] = nil
        status.withLockedValue { $0.playing.remove(play.stream); $0.feeding.remove(play.stream) }
    }

    private func endPlay(_ stream: String) {
        guard let play = plays[stream] else { return }
        play.stop()
        removePlay(play)
    }

    private func makeSource(_ stream: String, sourceID: String) {
        startPlay(stream)
        guard let play = plays[stream] else { return }
        status.withLockedValue { _ = $0.feeding.insert(stream) }
        logger.info("relaying stream from this upstream", metadata: ["stream": "\(stream)"])
        play.activate(sourceID: sourceID)
    }

    private func stopFeeding(_ stream: String) {
        plays[stream]?.deactivate()
        status.withLockedValue { _ = $0.feeding.remove(stream) }
    }

    /// Reports the streams this server feeds that had no media for the idle interval (once each
    /// until media comes back).
    private func checkIdle() {
        let limit = idleInterval()
        let now = NIODeadline.now()
        for play in plays.values where play.sourceID != nil && !play.idleReported && now - play.lastMedia > limit {
            play.idleReported = true
            logger.info("no media from upstream for the idle interval", metadata: ["stream": "\(play.stream)"])
            links.events.emit(.upstreamIdle(server: target.id, stream: play.stream))
        }
    }
}
