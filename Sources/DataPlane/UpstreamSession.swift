import ControlProtocol
import FLV
import Logging
import NIOConcurrencyHelpers
import NIOCore
import RTMP

/// One connection to one upstream server, as an RTMP client: handshake, `connect`, `FCAddChild`
/// (with the cluster secret), then any number of plays on it, one message stream per stream.
///
/// It reports what it learns as data-plane events (connected, `addStream`/`removeStream`, play
/// answers, idle media) and never decides anything: the control plane's failover state machine
/// says what to play and which play feeds the local stream (`activate`). Media of every play is
/// kept in an `UpstreamFeed`, so a standby play can be spliced in at once. A stock upstream that
/// ignores `FCAddChild` (nginx-rtmp) works the same way by plain `play`.
///
/// Every mutable field is touched only on the channel's event loop; the manager calls in through
/// the `loop` methods below.
final class UpstreamSession: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// One stream played on this connection.
    private struct Play {
        var messageStreamID: UInt32?
        var feed: UpstreamFeed
        /// The hub source id while this play feeds the local stream.
        var sourceID: String?
        var inHub = false
        var lastMedia: NIODeadline
        var idleReported = false
    }

    /// What the manager and the snapshot read from other threads.
    struct Status: Sendable {
        var state = "connecting"
        var announced: Set<String> = []
        var playing: Set<String> = []
        var feeding: Set<String> = []
    }

    let target: UpstreamTarget
    let eventLoop: any EventLoop
    private let hub: StreamHub
    private let events: any DataPlaneEventSink
    private let children: ChildRegistry
    private let clusterSecret: String?
    private let localApp: String
    private let idleInterval: @Sendable () -> TimeAmount
    private let onClose: @Sendable (UpstreamSession) -> Void
    private var logger: Logger
    let status = NIOLockedValueBox(Status())

    private var context: ChannelHandlerContext?
    private var handshake = RTMPClientHandshake()
    private var decoder: ChunkDecoder
    private var acknowledgements = AcknowledgementTracker()
    private var outgoingChunkSize = 128
    private var connected = false
    private var closeReason: String?
    private var plays: [String: Play] = [:]
    private var streamsByMessageStream: [UInt32: String] = [:]
    private var createRequests: [Double: String] = [:]
    private var nextTransactionID: Double = 3
    private var idleCheck: RepeatedTask?

    private static let connectTransaction: Double = 1
    private static let addChildTransaction: Double = 2

    init(target: UpstreamTarget, eventLoop: any EventLoop, links: UpstreamManager.NodeLinks,
         idleInterval: @escaping @Sendable () -> TimeAmount, onClose: @escaping @Sendable (UpstreamSession) -> Void) {
        self.target = target
        self.eventLoop = eventLoop
        self.hub = links.hub
        self.events = links.events
        self.children = links.children
        self.clusterSecret = links.configuration.clusterSecret
        self.localApp = links.configuration.app
        self.idleInterval = idleInterval
        self.onClose = onClose
        self.decoder = ChunkDecoder(limits: links.configuration.chunkLimits)
        var logger = Logger(label: "relay.upstream")
        logger[metadataKey: "upstream"] = "\(target.id)"
        self.logger = logger
    }

    // MARK: Called by the manager (any thread)

    func play(_ stream: String) { eventLoop.execute { self.startPlay(stream) } }
    func stopPlay(_ stream: String) { eventLoop.execute { self.endPlay(stream) } }
    func activate(_ stream: String, sourceID: String) { eventLoop.execute { self.makeSource(stream, sourceID: sourceID) } }
    func deactivate(_ stream: String) { eventLoop.execute { self.stopFeeding(stream) } }
    func close(reason: String) { eventLoop.execute { self.closeConnection(reason: reason) } }

    // MARK: Channel lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
        write(ByteBuffer(bytes: handshake.start()))
        context.flush()
        let period = TimeAmount.nanoseconds(max(idleInterval().nanoseconds / 4, 50_000_000))
        idleCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { [weak self] _ in
            self?.checkIdle()
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        idleCheck = nil
        let reason = closeReason ?? "connection closed by the upstream"
        logger.info("upstream connection closed", metadata: ["reason": "\(reason)"])
        children.withdrawAll(from: target.id)
        status.withLockedValue { $0 = Status(state: "disconnected") }
        plays = [:]
        self.context = nil
        events.emit(.upstreamDisconnected(server: target.id, reason: reason))
        onClose(self)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closeConnection(reason: "\(error)")
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard closeReason == nil else { return }
        if handshake.state != .done {
            do {
                guard case .completed(let c2, let leftover) = try handshake.feed(bytes.readBytes(length: bytes.readableBytes) ?? []) else { return }
                write(ByteBuffer(bytes: c2))
                send(ProtocolControl.setChunkSize(4096), on: RTMPChunkStreamID.control)
                let tcUrl = ClientRequests.tcUrl(host: target.host, port: target.port, app: target.app)
                send(ClientRequests.connect(transactionID: Self.connectTransaction, app: target.app, tcUrl: tcUrl).message(),
                     on: RTMPChunkStreamID.command)
                decoder.append(bytes: leftover)
            } catch {
                closeConnection(reason: "bad handshake from upstream: \(error)")
                return
            }
        } else {
            if let ack = acknowledgements.received(bytes.readableBytes) {
                send(ProtocolControl.acknowledgement(sequenceNumber: ack), on: RTMPChunkStreamID.control)
            }
            decoder.append(bytes)
        }
        do {
            while closeReason == nil, let message = try decoder.nextMessage() { handle(message) }
        } catch {
            closeConnection(reason: "protocol error from upstream: \(error)")
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    // MARK: Incoming messages

    private func handle(_ message: RTMPMessage) {
        switch message.type {
        case .audio, .video:
            guard let stream = streamsByMessageStream[message.streamID], message.payload.readableBytes > 0 else { return }
            received(MediaFrame(kind: message.typeID == 8 ? .audio : .video, timestamp: message.timestamp, payload: message.payload),
                     stream: stream)
        case .dataAMF0, .dataAMF3:
            guard let stream = streamsByMessageStream[message.streamID], let data = try? DataMessage(message: message) else { return }
            let unwrapped = data.unwrappingSetDataFrame
            guard unwrapped.values.first?.stringValue == "onMetaData" else { return }
            received(MediaFrame(kind: .scriptData, timestamp: message.timestamp, payload: unwrapped.payload), stream: stream)
        case .commandAMF0, .commandAMF3:
            guard let command = try? CommandMessage(message: message) else {
                closeConnection(reason: "undecodable command from upstream")
                return
            }
            handle(RTMPCommand(command), messageStreamID: message.streamID)
        case .windowAcknowledgementSize:
            if let size = ProtocolControl.uint32Value(of: message) { acknowledgements.setWindowSize(size) }
        case .userControl:
            if case .pingRequest(let timestamp) = UserControlEvent(payload: message.payload) {
                send(ProtocolControl.userControl(.pingResponse(timestamp: timestamp)), on: RTMPChunkStreamID.control)
            }
        case .setChunkSize, .abort, .acknowledgement, .setPeerBandwidth, .aggregate, .sharedObjectAMF0, .sharedObjectAMF3, .none:
            break
        }
    }

    private func handle(_ command: RTMPCommand, messageStreamID: UInt32) {
        switch command {
        case .result(Self.connectTransaction, _, _):
            connectionEstablished()
        case .error(Self.connectTransaction, _, let arguments):
            closeConnection(reason: "upstream refused connect: \(arguments.first?["description"]?.stringValue ?? "error")")
        case .error(Self.addChildTransaction, _, let arguments):
            // The parent closes the connection after this; keep its reason for the event.
            closeReason = "upstream refused FCAddChild: \(arguments.first?["description"]?.stringValue ?? "error")"
            logger.error("\(closeReason ?? "")")
        case .result(let transactionID, _, let arguments):
            guard let stream = createRequests.removeValue(forKey: transactionID) else { return }
            created(stream, messageStreamID: arguments.first?.numberValue.map { UInt32(clamping: Int($0)) } ?? 1)
        case .error(let transactionID, _, let arguments):
            guard let stream = createRequests.removeValue(forKey: transactionID) else { return }
            playFailed(stream, reason: "createStream refused: \(arguments.first?["description"]?.stringValue ?? "error")")
        case .addStream(let name):
            guard let stream = try? StreamName.normalize(name) else { return }
            status.withLockedValue { _ = $0.announced.insert(stream) }
            children.announce(stream, from: target.id)
            events.emit(.upstreamStreamAdded(server: target.id, stream: stream))
        case .removeStream(let name):
            guard let stream = try? StreamName.normalize(name) else { return }
            status.withLockedValue { _ = $0.announced.remove(stream) }
            children.withdraw(stream, from: target.id)
            events.emit(.upstreamStreamRemoved(server: target.id, stream: stream))
        case .onStatus(let info):
            guard let stream = streamsByMessageStream[messageStreamID] else { return }
            let code = info["code"]?.stringValue ?? ""
            if code == StatusCode.playStart {
                events.emit(.upstreamPlayStarted(server: target.id, stream: stream))
            } else if code == StatusCode.playStreamNotFound || info["level"]?.stringValue == "error" {
                playFailed(stream, reason: code)
            } else {
                logger.debug("upstream status", metadata: ["stream": "\(stream)", "code": "\(code)"])
            }
        default:
            break
        }
    }

    private func connectionEstablished() {
        guard !connected else { return }
        connected = true
        send(ProtocolControl.windowAcknowledgementSize(2_500_000), on: RTMPChunkStreamID.control)
        send(ClientRequests.addChild(transactionID: Self.addChildTransaction, secret: clusterSecret, app: localApp).message(),
             on: RTMPChunkStreamID.command)
        status.withLockedValue { $0.state = "connected" }
        logger.info("connected to upstream")
        events.emit(.upstreamConnected(server: target.id))
        // Plays asked for while connecting.
        for stream in plays.keys.sorted() where plays[stream]?.messageStreamID == nil { requestStream(for: stream) }
        flush()
    }

    private func created(_ stream: String, messageStreamID: UInt32) {
        guard plays[stream] != nil else {
            send(ClientRequests.deleteStream(messageStreamID).message(), on: RTMPChunkStreamID.command)
            return
        }
        plays[stream]?.messageStreamID = messageStreamID
        streamsByMessageStream[messageStreamID] = stream
        send(ClientRequests.play(stream).message(streamID: messageStreamID), on: RTMPChunkStreamID.command)
        flush()
    }

    private func playFailed(_ stream: String, reason: String) {
        logger.info("upstream refused play", metadata: ["stream": "\(stream)", "reason": "\(reason)"])
        events.emit(.upstreamPlayFailed(server: target.id, stream: stream, reason: reason))
    }

    private func received(_ frame: MediaFrame, stream: String) {
        guard var play = plays[stream] else { return }
        play.lastMedia = .now()
        play.idleReported = false
        let relay = play.feed.receive(frame)
        plays[stream] = play
        push(relay, stream: stream)
    }

    /// Relays frames of `stream`, splicing the play into the hub first if it is not there yet.
    private func push(_ frames: [MediaFrame], stream: String) {
        guard !frames.isEmpty, var play = plays[stream], let sourceID = play.sourceID else { return }
        if !play.inHub {
            play.inHub = true
            plays[stream] = play
            hub.spliceSource(stream, sourceID: sourceID, source: StreamSource(kind: "upstream", upstream: target.id))
            logger.info("relaying stream from this upstream", metadata: ["stream": "\(stream)"])
        }
        for frame in frames { hub.push(frame, stream: stream, sourceID: sourceID) }
    }

    // MARK: Plays

    private func startPlay(_ stream: String) {
        guard plays[stream] == nil, closeReason == nil else { return }
        plays[stream] = Play(feed: UpstreamFeed(gopLimit: hub.gopCacheLimit), lastMedia: .now())
        status.withLockedValue { _ = $0.playing.insert(stream) }
        if connected { requestStream(for: stream) }
    }

    private func requestStream(for stream: String) {
        let transactionID = nextTransactionID
        nextTransactionID += 1
        createRequests[transactionID] = stream
        send(ClientRequests.createStream(transactionID: transactionID).message(), on: RTMPChunkStreamID.command)
        flush()
    }

    private func endPlay(_ stream: String) {
        guard let play = plays.removeValue(forKey: stream) else { return }
        status.withLockedValue { $0.playing.remove(stream); $0.feeding.remove(stream) }
        if let id = play.messageStreamID {
            streamsByMessageStream[id] = nil
            send(ClientRequests.deleteStream(id).message(), on: RTMPChunkStreamID.command)
            flush()
        }
    }

    private func makeSource(_ stream: String, sourceID: String) {
        startPlay(stream)
        guard var play = plays[stream] else { return }
        play.sourceID = sourceID
        play.inHub = false
        play.lastMedia = .now()
        play.idleReported = false
        let relay = play.feed.activate(playersHave: hub.configurationFrames(of: stream))
        plays[stream] = play
        status.withLockedValue { _ = $0.feeding.insert(stream) }
        push(relay, stream: stream)
    }

    private func stopFeeding(_ stream: String) {
        guard var play = plays[stream] else { return }
        play.feed.deactivate()
        play.sourceID = nil
        play.inHub = false
        plays[stream] = play
        status.withLockedValue { _ = $0.feeding.remove(stream) }
    }

    /// Reports the streams this connection feeds that had no media for the idle interval (once
    /// each until media comes back).
    private func checkIdle() {
        let limit = idleInterval()
        let now = NIODeadline.now()
        for (stream, play) in plays where play.sourceID != nil && !play.idleReported && now - play.lastMedia > limit {
            plays[stream]?.idleReported = true
            logger.info("no media from upstream for the idle interval", metadata: ["stream": "\(stream)"])
            events.emit(.upstreamIdle(server: target.id, stream: stream))
        }
    }

    // MARK: Output

    private func send(_ message: RTMPMessage, on chunkStreamID: UInt32) {
        write(ChunkEncoder.encode(message, chunkStreamID: chunkStreamID, chunkSize: outgoingChunkSize))
        if message.type == .setChunkSize, let size = ProtocolControl.uint32Value(of: message) {
            outgoingChunkSize = Int(size)
        }
    }

    private func write(_ buffer: ByteBuffer) {
        context?.write(wrapOutboundOut(buffer), promise: nil)
    }

    private func flush() { context?.flush() }

    private func closeConnection(reason: String) {
        guard let context else { return }
        if closeReason == nil { closeReason = reason }
        context.close(promise: nil)
    }
}
