import ControlProtocol
import Foundation
import FLV
import Logging
import NIOCore
import RTMP

/// One RTMP connection to the relay: a thin NIO shell around the pure handshake and chunk
/// decoder, plus the publish/play session. Every mutable field is touched only on the channel's
/// event loop; other threads reach it through `eventLoop.execute`.
final class RTMPConnection: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let node: RelayNode
    var logger: Logger
    private(set) var context: ChannelHandlerContext?
    private(set) var stats: ClientStats?
    private(set) var eventLoop: any EventLoop

    private var handshake = RTMPServerHandshake()
    private var handshakeTimeout: Scheduled<Void>?
    private var decoder: ChunkDecoder
    private var acknowledgements = AcknowledgementTracker()
    private var connected = false
    private var closing = false
    private var nextStreamID: UInt32 = 0

    // Publishing.
    private var publishedStream: String?
    private var publishStreamID: UInt32 = 0

    // Playing.
    private var playing: LiveStream?
    var playStreamID: UInt32 = 1
    /// A recorded file being played (`RTMPConnection+VOD.swift`).
    var vod: VODPlayback?
    private var skipUntilKeyframe = true
    /// The channel's writability, tracked from its events (cheaper than asking the channel for
    /// every frame of every player).
    private(set) var writable = true
    private var laggingSince: NIODeadline?

    init(node: RelayNode, eventLoop: any EventLoop) {
        self.node = node
        self.eventLoop = eventLoop
        self.logger = node.logger
        self.decoder = ChunkDecoder(limits: node.configuration.chunkLimits)
    }

    var encodingKey: EncodingKey {
        EncodingKey(chunkSize: node.configuration.outgoingChunkSize, streamID: playStreamID, allTracks: negotiatedMultitrack)
    }
    /// The player announced E-RTMP multitrack in `connect` (capsEx): it gets every track; others
    /// get the primary track of each kind.
    private var negotiatedMultitrack = false
    private var clientID: String { stats?.id ?? "?" }

    // MARK: Channel lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
        let remote = context.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "unknown"
        let channel = context.channel
        // Strong captures on purpose, here and below: a weak reference would give every
        // connection a side table, and each of the fan-out's per-frame retains of the player would
        // take the slow path. The registry drops the closure when the connection goes inactive.
        guard let stats = node.clients.register(remoteAddress: remote, close: { reason in
            channel.eventLoop.execute { self.close(reason: reason, counted: "admin") }
        }) else {
            logger.warning("refusing connection: max connections reached", metadata: ["peer": "\(remote)"])
            context.close(promise: nil)
            return
        }
        self.stats = stats
        logger[metadataKey: "client"] = "\(stats.id)"
        logger[metadataKey: "peer"] = "\(remote)"
        logger.debug("connected")
        handshakeTimeout = context.eventLoop.scheduleTask(in: node.configuration.handshakeTimeout) {
            self.close(reason: "handshake not completed in time", counted: "handshake-timeout")
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshakeTimeout?.cancel()
        stopPublishing()
        stopPlaying()
        if let stats {
            node.children.unregister(clientID: stats.id)
            node.clients.unregister(stats)
            node.events.emit(.clientDisconnected(id: stats.id, reason: closing ? "closed by relay" : "closed by peer"))
        }
        logger.debug("disconnected")
        self.context = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error: \(error)")
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard !closing, let stats else { return }
        stats.bytesIn.wrappingIncrement(by: UInt64(bytes.readableBytes), ordering: .relaxed)
        if handshake.state != .done {
            feedHandshake(bytes.readBytes(length: bytes.readableBytes) ?? [])
            return
        }
        if let ack = acknowledgements.received(bytes.readableBytes) {
            send(ProtocolControl.acknowledgement(sequenceNumber: ack), on: RTMPChunkStreamID.control)
        }
        decoder.append(bytes)
        drainMessages()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        writable = context.channel.isWritable
        context.fireChannelWritabilityChanged()
    }

    // MARK: Handshake and chunks

    private func feedHandshake(_ bytes: [UInt8]) {
        do {
            switch try handshake.feed(bytes) {
            case .needMoreData:
                break
            case .send(let reply):
                write(ByteBuffer(bytes: reply))
            case .completed(let leftover):
                handshakeTimeout?.cancel()
                if let stats {
                    node.events.emit(.clientConnected(stats.snapshot))
                }
                decoder.append(bytes: leftover)
                drainMessages()
            }
        } catch {
            close(reason: "bad handshake: \(error)", counted: "bad-handshake")
        }
    }

    private func drainMessages() {
        do {
            while !closing, let message = try decoder.nextMessage() {
                handle(message)
            }
        } catch {
            close(reason: "protocol error: \(error)", counted: "protocol-error")
        }
    }

    private func handle(_ message: RTMPMessage) {
        switch message.type {
        case .audio, .video:
            guard let stream = publishedStream, message.streamID == publishStreamID else { return }
            let kind: MediaFrame.Kind = message.typeID == 8 ? .audio : .video
            node.hub.push(MediaFrame(kind: kind, timestamp: message.timestamp, payload: message.payload), stream: stream, sourceID: clientID)
        case .dataAMF0, .dataAMF3:
            guard let stream = publishedStream, let data = try? DataMessage(message: message) else { return }
            let unwrapped = data.unwrappingSetDataFrame
            guard unwrapped.values.first?.stringValue == "onMetaData" else { return }
            node.hub.push(MediaFrame(kind: .scriptData, timestamp: 0, payload: unwrapped.payload), stream: stream, sourceID: clientID)
        case .commandAMF0, .commandAMF3:
            do {
                handle(RTMPCommand(try CommandMessage(message: message)), streamID: message.streamID)
            } catch {
                close(reason: "undecodable command: \(error)", counted: "protocol-error")
            }
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

    // MARK: Commands

    private func handle(_ command: RTMPCommand, streamID: UInt32) {
        switch command {
        case .connect(let connect):
            handleConnect(connect)
        case _ where !connected:
            close(reason: "command before connect", counted: "protocol-error")
        case .createStream(let tid):
            nextStreamID += 1
            reply(StatusMessages.result(transactionID: tid, .number(Double(nextStreamID))))
        case .releaseStream(let tid, _):
            reply(StatusMessages.result(transactionID: tid))
        case .fcPublish(_, let raw):
            let code = (try? StreamName.normalize(raw)).map { node.hub.isPublished($0) ? StatusCode.publishBadName : StatusCode.publishStart }
                ?? StatusCode.publishBadName
            reply(StatusMessages.callback("onFCPublish", code: code, description: raw, level: code == StatusCode.publishStart ? "status" : "error"))
        case .publish(_, let raw, _):
            handlePublish(raw, streamID: streamID)
        case .fcUnpublish(_, let raw):
            reply(StatusMessages.callback("onFCUnpublish", code: StatusCode.unpublishSuccess, description: raw))
            if let name = try? StreamName.normalize(raw), name == publishedStream { stopPublishing() }
        case .play(_, let raw, let start):
            if playVOD(raw, start: start, streamID: streamID) { break }
            handlePlay(raw, streamID: streamID)
        case .seek(_, let milliseconds):
            vod?.seek(to: milliseconds)
        case .pause(_, let paused, let milliseconds):
            vod?.pause(paused, at: milliseconds)
        case .subscribe(_, let raw, let spelling):
            let name = try? StreamName.normalize(raw)
            let found = name.map { node.hub.isPublished($0) || node.configuration.role != .origin } ?? false
            if found, let name, node.configuration.role != .origin, !node.hub.isPublished(name) {
                node.upstreams.demand(name)
            }
            reply(StatusMessages.callback(spelling.callbackName, code: found ? StatusCode.playStart : StatusCode.playStreamNotFound,
                                          description: raw, level: found ? "status" : "error"))
        case .unsubscribe(_, let raw):
            reply(StatusMessages.callback("onFCUnsubscribe", code: StatusCode.playStop, description: raw))
            if let name = try? StreamName.normalize(raw), playing?.name == name {
                stopPlaying()
                reply(StatusMessages.onStatus(code: StatusCode.playStop, description: raw), streamID: playStreamID)
            }
        case .deleteStream(_, let id):
            if id == publishStreamID { stopPublishing() }
            if id == playStreamID { stopPlaying() }
        case .closeStream:
            if streamID == publishStreamID { stopPublishing() }
            if streamID == playStreamID { stopPlaying() }
        case .fcAddChild(let tid, let arguments):
            handleAddChild(transactionID: tid, arguments: arguments)
        case .other(let call) where call.name == "getStreamLength":
            replyStreamLength(call)
        case .other(let call) where call.name == "_checkbw":
            reply(StatusMessages.result(transactionID: call.transactionID))
        case .other(let call) where call.transactionID != 0:
            reply(StatusMessages.error(transactionID: call.transactionID, code: "NetConnection.Call.Failed",
                                       description: "Method not found (\(call.name))."))
        default:
            break
        }
        flush()
    }

    private func handleConnect(_ connect: ConnectCommand) {
        guard !connected else { return }
        guard connect.appName == node.configuration.app else {
            logger.info("rejecting connect to unknown app", metadata: ["app": "\(connect.app)"])
            reply(StatusMessages.error(transactionID: connect.transactionID, code: StatusCode.connectRejected,
                                       description: "Application '\(connect.appName)' is not served here (app is '\(node.configuration.app)')."))
            closeAfterFlush()
            return
        }
        connected = true
        // E-RTMP: answer with the codecs and capsEx we share; legacy clients get the legacy answer.
        let enhanced = EnhancedCapabilities(commandObject: connect.commandObject).map { EnhancedCapabilities.relay.answer(to: $0) }
        negotiatedMultitrack = enhanced?.supportsMultitrack ?? false
        send(ProtocolControl.windowAcknowledgementSize(2_500_000), on: RTMPChunkStreamID.control)
        send(ProtocolControl.setPeerBandwidth(2_500_000), on: RTMPChunkStreamID.control)
        send(ProtocolControl.setChunkSize(node.configuration.outgoingChunkSize), on: RTMPChunkStreamID.control)
        reply(StatusMessages.connectSuccess(transactionID: connect.transactionID, objectEncoding: connect.objectEncoding,
                                            enhanced: enhanced))
    }

    /// `FCAddChild([secret | {secret, app}])`: a downstream node registers (seed API). With a
    /// cluster secret configured, a wrong or missing secret is refused and the connection closed.
    private func handleAddChild(transactionID: Double, arguments: [AMF0Value]) {
        let secret = arguments.first?.stringValue ?? arguments.first?["secret"]?.stringValue
        guard node.children.accepts(secret: secret) else {
            logger.warning("refusing FCAddChild: wrong cluster secret")
            node.clients.countRefused("bad-cluster-secret")
            reply(StatusMessages.error(transactionID: transactionID, code: "NetConnection.Call.Failed",
                                       description: "FCAddChild refused: wrong cluster secret"))
            closeAfterFlush()
            return
        }
        guard let stats else { return }
        stats.set(kind: "child", stream: nil)
        reply(StatusMessages.result(transactionID: transactionID))
        flush()
        let snapshot = ChildSnapshot(clientId: stats.id, remoteAddress: stats.remoteAddress,
                                     app: arguments.first?["app"]?.stringValue, registeredSince: Date())
        logger.info("child node registered")
        let loop = eventLoop
        node.children.register(snapshot) { notification in
            loop.execute {
                self.reply(notification)
                self.flush()
            }
        }
    }

    private func handlePublish(_ raw: String, streamID: UInt32) {
        guard publishedStream == nil else { return }
        let name: String
        do {
            name = try StreamName.normalize(raw)
        } catch {
            reply(StatusMessages.onStatus(code: StatusCode.publishBadName, description: "\(raw): \(error)", level: "error"), streamID: streamID)
            closeAfterFlush()
            return
        }
        guard node.hub.startPublishing(name, sourceID: clientID, source: StreamSource(kind: "publisher", clientId: clientID)) else {
            logger.info("refusing second publisher", metadata: ["stream": "\(name)"])
            node.clients.countRefused("stream-busy")
            reply(StatusMessages.onStatus(code: StatusCode.publishBadName, description: "\(name) is already being published", level: "error"),
                  streamID: streamID)
            closeAfterFlush()
            return
        }
        publishedStream = name
        publishStreamID = streamID
        stats?.set(kind: "publisher", stream: name)
        logger.info("publishing", metadata: ["stream": "\(name)"])
        send(ProtocolControl.userControl(.streamBegin(streamID: streamID)), on: RTMPChunkStreamID.control)
        reply(StatusMessages.onStatus(code: StatusCode.publishStart, description: "\(name) is now published."), streamID: streamID)
    }

    private func handlePlay(_ raw: String, streamID: UInt32) {
        stopPlaying()
        let name: String
        do {
            name = try StreamName.normalize(raw)
        } catch {
            reply(StatusMessages.onStatus(code: StatusCode.playStreamNotFound, description: "\(raw): \(error)", level: "error"), streamID: streamID)
            return
        }
        playStreamID = streamID
        stats?.set(kind: "player", stream: name)
        send(ProtocolControl.userControl(.streamBegin(streamID: streamID)), on: RTMPChunkStreamID.control)
        let published = node.hub.isPublished(name)
        if published || node.configuration.role != .origin {
            reply(StatusMessages.onStatus(code: StatusCode.playReset, description: "Playing and resetting \(name)."), streamID: streamID)
            reply(StatusMessages.onStatus(code: StatusCode.playStart, description: "Started playing \(name)."), streamID: streamID)
            let access = DataMessage(values: ["|RtmpSampleAccess", true, true])
            send(RTMPMessage(typeID: 18, streamID: streamID, timestamp: 0, payload: access.payload), on: RTMPChunkStreamID.data)
            if !published { node.upstreams.demand(name) }
        } else {
            // Stays attached: PublishNotify and media follow when a publisher arrives.
            reply(StatusMessages.onStatus(code: StatusCode.playStreamNotFound, description: "\(name) is not published.", level: "error"),
                  streamID: streamID)
        }
        skipUntilKeyframe = true
        let (stream, initial) = node.hub.addPlayer(self, to: name)
        playing = stream
        logger.info("playing", metadata: ["stream": "\(name)"])
        let encoded = initial.map { OutgoingFrame.encode($0, keys: [encodingKey]) }
        for frame in encoded { deliver(frame) }
    }

    private func stopPublishing() {
        guard let name = publishedStream else { return }
        publishedStream = nil
        node.hub.stopPublishing(name, sourceID: clientID)
        logger.info("unpublished", metadata: ["stream": "\(name)"])
        stats?.set(kind: "connecting", stream: nil)
    }

    func stopPlaying() {
        vod?.stop()
        vod = nil
        guard let stream = playing else { return }
        playing = nil
        node.hub.removePlayer(self, from: stream)
    }

    // MARK: Output

    func send(_ message: RTMPMessage, on chunkStreamID: UInt32) {
        write(ChunkEncoder.encode(message, chunkStreamID: chunkStreamID, chunkSize: currentOutgoingChunkSize))
    }

    /// The chunk size the peer expects: 128 until our Set Chunk Size has gone out at connect.
    private var currentOutgoingChunkSize: Int { connected ? node.configuration.outgoingChunkSize : 128 }

    func reply(_ command: CommandMessage, streamID: UInt32 = 0) {
        send(command.message(streamID: streamID), on: RTMPChunkStreamID.command)
    }

    private func write(_ buffer: ByteBuffer, counted: Bool = false) {
        guard let context, !closing else { return }
        stats?.bytesOut.wrappingIncrement(by: UInt64(buffer.readableBytes), ordering: .relaxed)
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    func flush() { context?.flush() }

    private func closeAfterFlush() {
        guard let context, !closing else { return }
        closing = true
        context.writeAndFlush(wrapOutboundOut(ByteBuffer()), promise: nil)
        let channel = context.channel
        context.eventLoop.scheduleTask(in: .milliseconds(200)) { channel.close(promise: nil) }
    }

    /// Closes this connection with a log line naming the peer and the reason.
    func close(reason: String, counted counter: String) {
        guard let context, !closing else { return }
        closing = true
        logger.warning("closing connection: \(reason)")
        node.clients.countDropped(counter)
        context.close(promise: nil)
    }
}

// MARK: - Player side

extension RTMPConnection: StreamSubscriber {
    /// Writes one relayed frame, keeping this player's queue bounded: past the queue limit the
    /// player skips to the next keyframe; behind for longer than the lag limit, it is dropped.
    func deliver(_ frame: OutgoingFrame) {
        guard let context, !closing, let bytes = frame.encodings[encodingKey] else { return }
        // The channel's write-buffer watermarks are the player queue: above the high mark
        // (`playerQueueLimit`) the channel is unwritable until it drains below half of it.
        let behind = !writable
        if !frame.isConfiguration {
            if behind {
                skipUntilKeyframe = true
                let now = NIODeadline.now()
                if let since = laggingSince {
                    if now - since > node.configuration.playerMaxLag {
                        close(reason: "player stayed behind for more than \(node.configuration.playerMaxLag)", counted: "slow-player")
                    }
                } else {
                    laggingSince = now
                    logger.info("player falling behind: skipping to the next keyframe")
                }
                return
            }
            if frame.kind == .video, skipUntilKeyframe {
                guard frame.isKeyframe else { return }
                skipUntilKeyframe = false
            }
            laggingSince = nil
        }
        stats?.bytesOut.wrappingIncrement(by: UInt64(bytes.readableBytes), ordering: .relaxed)
        context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
    }

    func streamDidStart(_ name: String) {
        guard playing?.name == name else { return }
        skipUntilKeyframe = true
        send(ProtocolControl.userControl(.streamBegin(streamID: playStreamID)), on: RTMPChunkStreamID.control)
        reply(StatusMessages.onStatus(code: StatusCode.playPublishNotify, description: "\(name) is now published."), streamID: playStreamID)
        flush()
    }

    func streamDidStop(_ name: String) {
        guard playing?.name == name else { return }
        reply(StatusMessages.onStatus(code: StatusCode.playUnpublishNotify, description: "\(name) is now unpublished."), streamID: playStreamID)
        flush()
    }

    func streamNotFound(_ name: String) {
        guard playing?.name == name else { return }
        reply(StatusMessages.onStatus(code: StatusCode.playStreamNotFound, description: "No upstream server has \(name).", level: "error"),
              streamID: playStreamID)
        flush()
    }
}
