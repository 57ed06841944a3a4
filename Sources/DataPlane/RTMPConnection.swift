import ControlProtocol
import Foundation
import FLV
import HighlightExport
import Logging
import NIOCore
import NIOSSL
import RTMP

/// One RTMP connection to the relay, the session handler of its `RTMPChannel` pipeline: it
/// carries out what its `RTMPSession` decides (replies, publishing, joining a stream, playing a
/// file), and writes relayed media to its peer within the player queue's bounds. Every mutable
/// field is touched only on the channel's event loop; other threads reach it through
/// `eventLoop.execute`.
final class RTMPConnection: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = RTMPMessage
    typealias OutboundOut = ByteBuffer

    let node: RelayNode
    var logger: Logger
    private(set) var context: ChannelHandlerContext?
    private(set) var stats: ClientStats?
    private(set) var eventLoop: any EventLoop

    private var handshakeTimeout: Scheduled<Void>?
    private var idleTimeout: Scheduled<Void>?
    /// The command layer's rules and state (`RTMPSession`): connect, stream ids, publish, play.
    private var session: RTMPSession
    private var connected: Bool { session.connected }
    private var closing = false

    // Publishing.
    private var publishedStream: String? { session.publishing?.name }
    private var publishStreamID: UInt32 { session.publishing?.streamID ?? 0 }
    /// Frames received and not yet pushed to the hub: pushed as one batch at the end of each
    /// read (`channelReadComplete`), or when the `--merge-write` window closes.
    private var pending: PendingFrames

    // Playing.
    private var playing: LiveStream?
    /// The message stream id of the current play (kept in the encoding key, read for every frame).
    var playStreamID: UInt32 = 1 {
        didSet { encodingKey.streamID = playStreamID }
    }
    /// A recorded file being played (`RTMPConnection+VOD.swift`).
    var vod: VODPlayback?
    private var skipUntilKeyframe = true
    /// The channel's writability, tracked from its events (cheaper than asking the channel for
    /// every frame of every player).
    private(set) var writable = true
    private var laggingSince: NIODeadline?
    /// Bytes that could not be skipped (command replies, control, metadata, sequence headers)
    /// queued while the output was already over the player queue limit. Past that limit again,
    /// the peer is not reading and is disconnected.
    private var queuedOverLimit = 0
    /// Bytes written since the last flush, added to the client's counter at the flush.
    private var unflushedBytesOut = 0

    init(node: RelayNode, eventLoop: any EventLoop) {
        self.node = node
        self.eventLoop = eventLoop
        self.logger = node.logger
        self.encodingKey = EncodingKey(chunkSize: node.configuration.outgoingChunkSize, streamID: 1)
        self.pending = PendingFrames(policy: node.configuration.merge)
        self.session = RTMPSession(app: node.configuration.app, outgoingChunkSize: node.configuration.outgoingChunkSize)
    }

    /// Sets up `channel`'s RTMP pipeline with a new connection as its session handler.
    static func configure(_ channel: any Channel, node: RelayNode, tls: NIOSSLContext? = nil) throws {
        // RTMPS: TLS first, then the same RTMP pipeline.
        if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
        let connection = RTMPConnection(node: node, eventLoop: channel.eventLoop)
        try RTMPChannel.configure(channel.pipeline.syncOperations, side: .server(RTMPServerHandshake()),
                                  limits: node.configuration.chunkLimits,
                                  countBytesIn: { connection.stats?.bytesIn.wrappingIncrement(by: UInt64($0), ordering: .relaxed) },
                                  session: connection)
    }

    /// Kept in step with `playStreamID` (read for every frame delivered).
    private(set) var encodingKey: EncodingKey
    /// The player announced E-RTMP multitrack in `connect` (capsEx): it gets every track; others
    /// get the primary track of each kind.
    private var negotiatedMultitrack = false {
        didSet { encodingKey.allTracks = negotiatedMultitrack }
    }
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
        idleTimeout?.cancel()
        pushPendingFrames()
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
        switch error {
        case let error as ChunkDecoderError:
            if case .bufferBudgetExceeded = error {
                close(reason: "protocol error: \(error)", counted: "buffer-limit")
            } else {
                close(reason: "protocol error: \(error)", counted: "protocol-error")
            }
        case let error as RTMPHandshakeError:
            close(reason: "bad handshake: \(error)", counted: "bad-handshake")
        default:
            logger.debug("connection error: \(error)")
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is RTMPHandshakeCompleted else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        handshakeTimeout?.cancel()
        if let stats { node.events.emit(.clientConnected(stats.snapshot)) }
        // A connection that neither publishes nor plays (nor registers as a child) would hold a
        // slot of --max-connections forever.
        let idle = node.configuration.idleTimeout
        idleTimeout = context.eventLoop.scheduleTask(in: idle) {
            self.close(reason: "neither published nor played within \(idle)", counted: "idle-timeout")
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing, stats != nil else { return }
        handle(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        relay(pending.readEnded(on: context.eventLoop) { self.pushPendingFrames() })
        flush()
    }

    /// Pushes the frames received since the last batch to the hub, as one batch.
    private func pushPendingFrames() {
        relay(pending.take())
    }

    private func relay(_ frames: [MediaFrame]) {
        guard !frames.isEmpty, let stream = publishedStream else { return }
        pending.relayed(toPlayers: node.hub.push(frames, stream: stream, sourceID: clientID))
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        writable = context.channel.isWritable
        if writable { queuedOverLimit = 0 }
        context.fireChannelWritabilityChanged()
    }

    /// Admits `count` bytes that cannot be skipped into the output queue; false (and the
    /// connection closed) when the queue is over the player queue limit and stays there.
    private func admitUnskippable(_ count: Int) -> Bool {
        guard !writable else { return true }
        queuedOverLimit += count
        guard queuedOverLimit <= node.configuration.playerQueueLimit else {
            close(reason: "peer does not read: more than \(node.configuration.playerQueueLimit) bytes queued past the player queue limit",
                  counted: "queue-overflow")
            return false
        }
        return true
    }

    // MARK: Messages

    private func handle(_ message: RTMPMessage) {
        switch message.type {
        case .audio, .video, .dataAMF0, .dataAMF3:
            guard publishedStream != nil, let frame = MediaFrame(relaying: message),
                  frame.kind == .scriptData || message.streamID == publishStreamID else { return }
            pending.append(frame)
        case .commandAMF0, .commandAMF3:
            // Frames received before the command reach the players before its effect.
            pushPendingFrames()
            // Decoded once, at the edge: a bad number (stream id 2^32, NaN, inf) closes this
            // one connection, logged and counted, and goes no further.
            let command: RTMPCommand
            do {
                command = try RTMPCommand(decoding: try CommandMessage(message: message))
            } catch {
                close(reason: "undecodable command: \(error)", counted: "protocol-error")
                return
            }
            handle(command, streamID: message.streamID)
        case .windowAcknowledgementSize, .userControl, .setChunkSize, .abort, .acknowledgement, .setPeerBandwidth, .aggregate,
             .sharedObjectAMF0, .sharedObjectAMF3, .none:
            // Acknowledgements and pings are answered by the chunk layer (`RTMPMessageDecoder`).
            break
        }
    }

    // MARK: Commands

    private func handle(_ command: RTMPCommand, streamID: UInt32) {
        perform(session.received(command, streamID: streamID, node: node))
        flush()
    }

    /// Carries out what the session decided, in order.
    private func perform(_ actions: [RTMPSession.Action]) {
        for action in actions {
            switch action {
            case .sendControl(let message):
                send(message, on: RTMPChunkStreamID.control)
            case .sendData(let message):
                send(message, on: RTMPChunkStreamID.data)
            case .reply(let command, let streamID):
                reply(command, streamID: streamID)
            case .requestPublish(let name, let streamID):
                requestPublish(name, streamID: streamID)
            case .stopPublishing(let name):
                endPublish(name)
            case .stopPlaying:
                stopPlaying()
            case .joinLive(let name, let streamID):
                joinLive(name, streamID: streamID)
            case .playRecorded(let name, let raw, let start, let length, let streamID):
                playRecorded(name, raw: raw, start: start, length: length, streamID: streamID)
            case .seekRecorded(let milliseconds):
                vod?.seek(to: milliseconds)
            case .pauseRecorded(let paused, let milliseconds):
                vod?.pause(paused, at: milliseconds)
            case .replyRecordedLength(let name, let transactionID):
                replyRecordedLength(name, transactionID: transactionID)
            case .demand(let name):
                node.upstreams.demand(name)
            case .registerChild(let app):
                registerChild(app: app)
            case .cancelIdleTimeout:
                idleTimeout?.cancel()
            case .refused(let counter, let message, let stream):
                logger.warning("\(message)", metadata: stream.map { ["stream": "\($0)"] })
                node.clients.countRefused(counter)
            case .note(let message):
                logger.info("\(message)")
            case .closeAfterFlush:
                closeAfterFlush()
            case .close(let reason, let counter):
                close(reason: reason, counted: counter)
            }
        }
        negotiatedMultitrack = session.negotiatedMultitrack
    }

    /// A downstream node registered: it is listed, and told of every stream as it comes and goes.
    private func registerChild(app: String?) {
        guard let stats else { return }
        stats.set(kind: "child", stream: nil)
        flush()
        let snapshot = ChildSnapshot(clientId: stats.id, remoteAddress: stats.remoteAddress, app: app, registeredSince: Date())
        logger.info("child node registered")
        let loop = eventLoop
        node.children.register(snapshot) { notification in
            loop.execute {
                self.reply(notification)
                self.flush()
            }
        }
    }

    /// The session's publish request (the keys already checked): the hub gives the name to one
    /// source at a time.
    private func requestPublish(_ name: String, streamID: UInt32) {
        guard node.hub.startPublishing(name, sourceID: clientID, source: StreamSource(kind: "publisher", clientId: clientID)) else {
            logger.info("refusing second publisher", metadata: ["stream": "\(name)"])
            node.clients.countRefused("stream-busy")
            perform(session.publishRefused(description: "\(name) is already being published", streamID: streamID))
            return
        }
        stats?.set(kind: "publisher", stream: name)
        logger.info("publishing", metadata: ["stream": "\(name)"])
        perform(session.publishStarted(name: name, streamID: streamID))
    }

    /// Joins the live stream the session accepted a play of; the cached GOP follows at once.
    private func joinLive(_ name: String, streamID: UInt32) {
        playStreamID = streamID
        stats?.set(kind: "player", stream: name)
        skipUntilKeyframe = true
        let (stream, initial) = node.hub.join(self, to: name)
        playing = stream
        logger.info("playing", metadata: ["stream": "\(name)"])
        // Written frame by frame (the serialized GOP is shared with other joiners, not copied),
        // flushed with the replies by the command's caller.
        for frame in initial { write(frame) }
    }

    /// Ends the publish the session has, if any (the connection going away).
    private func stopPublishing() {
        pushPendingFrames()
        guard let name = publishedStream else { return }
        session.publishEnded()
        endPublish(name)
    }

    /// Gives `name` back to the hub. Frames pending were relayed before: before any command, or
    /// by `stopPublishing`.
    private func endPublish(_ name: String) {
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

    private func write(_ buffer: ByteBuffer) {
        guard let context, !closing, admitUnskippable(buffer.readableBytes) else { return }
        unflushedBytesOut += buffer.readableBytes
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    func flush() {
        guard let context else { return }
        if unflushedBytesOut > 0 {
            stats?.bytesOut.wrappingIncrement(by: UInt64(unflushedBytesOut), ordering: .relaxed)
            unflushedBytesOut = 0
        }
        context.flush()
    }

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
    /// Writes and flushes a batch of relayed frames: at once when the player keeps up (one
    /// write), frame by frame otherwise (`write(_ frame:)`).
    func deliver(_ batch: OutgoingBatch) {
        write(batch)
        flush()
    }

    private func write(_ batch: OutgoingBatch) {
        guard let context, !closing else { return }
        // Keeping up (writable, not waiting for a keyframe), the player would take every frame.
        if writable, !skipUntilKeyframe, let bytes = batch.contiguousBytes(for: encodingKey) {
            laggingSince = nil
            guard bytes.readableBytes > 0 else { return }
            unflushedBytesOut += bytes.readableBytes
            context.write(wrapOutboundOut(bytes), promise: nil)
        } else {
            for frame in batch.frames { write(frame) }
        }
    }

    /// Writes one relayed frame, keeping this player's queue bounded: past the queue limit the
    /// player skips to the next keyframe; behind for longer than the lag limit, it is dropped.
    /// Metadata and sequence headers are never skipped but count against the limit
    /// (`admitUnskippable`).
    private func write(_ frame: OutgoingFrame) {
        guard let context, !closing, let bytes = frame.bytes(for: encodingKey) else { return }
        // The channel's write-buffer watermarks are the player queue: above the high mark
        // (`playerQueueLimit`) the channel is unwritable until it drains below half of it.
        let behind = !writable
        if frame.isConfiguration {
            guard admitUnskippable(bytes.readableBytes) else { return }
        } else {
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
        unflushedBytesOut += bytes.readableBytes
        context.write(wrapOutboundOut(bytes), promise: nil)
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
