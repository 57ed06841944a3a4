import ControlProtocol
import FLV
import NIOCore
import NIOSSL
import RTMP

/// One stream played from one upstream server, on its own connection (`connect`, `createStream`,
/// `play`), so that any RTMP server works as an upstream and one stream never holds up another.
///
/// Its media goes into an `UpstreamFeed`; while the play is the stream's source (`activate`) the
/// feed's frames go into the hub, spliced in at a keyframe. Lives on its session's event loop.
final class UpstreamPlay: RTMPClientDelegate {
    let stream: String
    private let target: UpstreamTarget
    private let hub: StreamHub
    private let events: any DataPlaneEventSink
    /// Called when the play ends by itself (refused, or its connection lost), after
    /// `upstreamPlayFailed` went out.
    private let onEnded: (UpstreamPlay) -> Void
    /// Called when the upstream says the stream stopped (`NetStream.Play.UnpublishNotify`) while
    /// this play feeds the local stream: the manager decides whether the players hear it too.
    private let onUnpublished: (UpstreamPlay) -> Void
    private var client: RTMPClientHandler?
    private var messageStreamID: UInt32?
    private var feed: UpstreamFeed
    /// Frames to relay from the current read of the connection: pushed as one batch when the
    /// read is complete or the merge window closes (one write per player, as for a local publisher).
    private var pending: PendingFrames
    private var eventLoop: (any EventLoop)?
    /// The hub source id while this play feeds the local stream.
    private(set) var sourceID: String?
    private var inHub = false
    private(set) var lastMedia = NIODeadline.now()
    var idleReported = false
    private var stopped = false

    private static let createStreamTransaction: Double = 2

    init(stream: String, target: UpstreamTarget, hub: StreamHub, events: any DataPlaneEventSink, merge: MergePolicy,
         onEnded: @escaping (UpstreamPlay) -> Void, onUnpublished: @escaping (UpstreamPlay) -> Void = { _ in }) {
        self.stream = stream
        self.target = target
        self.hub = hub
        self.events = events
        self.onEnded = onEnded
        self.onUnpublished = onUnpublished
        self.feed = UpstreamFeed(gopLimit: hub.gopCacheLimit)
        self.pending = PendingFrames(policy: merge)
    }

    /// `tls`: the context for an `rtmps://` target (not made for plain RTMP ones).
    func start(on loop: any EventLoop, limits: ChunkDecoderLimits, clusterSecret: String?, tls: UpstreamTLS?) {
        guard client == nil, !stopped else { return }
        eventLoop = loop
        client = RTMPClientHandler.open(host: target.host, port: target.port, app: target.app, limits: limits,
                                        clusterSecret: clusterSecret, tls: target.tls == true ? tls?.context : nil, on: loop, delegate: self)
    }

    /// Ends the play (the connection closes; nothing is reported).
    func stop() {
        stopped = true
        pending.cancelWindow()
        client?.close(reason: "play stopped")
        client = nil
    }

    // MARK: Source

    /// Makes this play the stream's source.
    func activate(sourceID: String) {
        pushPending()
        self.sourceID = sourceID
        inHub = false
        lastMedia = .now()
        idleReported = false
        push(feed.activate(playersHave: hub.configurationFrames(of: stream)))
    }

    func deactivate() {
        pushPending()
        feed.deactivate()
        sourceID = nil
        inHub = false
    }

    // MARK: RTMPClientDelegate

    func clientConnected(_ client: RTMPClientHandler) {
        client.send(ClientRequests.createStream(transactionID: Self.createStreamTransaction))
    }

    func client(_ client: RTMPClientHandler, received message: RTMPMessage) {
        switch message.type {
        case .audio, .video:
            guard message.streamID == messageStreamID, let frame = MediaFrame(relaying: message) else { return }
            received(frame)
        case .dataAMF0, .dataAMF3:
            guard let frame = MediaFrame(relaying: message) else { return }
            received(frame)
        case .commandAMF0, .commandAMF3:
            guard let command = try? CommandMessage(message: message) else { return }
            handle(RTMPCommand(command), client: client)
        default:
            break
        }
    }

    func clientClosed(_ client: RTMPClientHandler, reason: String) {
        pushPending()
        self.client = nil
        fail("play connection lost: \(reason)")
    }

    private func handle(_ command: RTMPCommand, client: RTMPClientHandler) {
        switch command {
        case .result(Self.createStreamTransaction, _, let arguments):
            // The upstream's number, checked: `Int(Double)` trapped on NaN/inf from a hostile upstream.
            let id = arguments.first?.numberValue.flatMap { UInt32(networkNumber: $0) } ?? 1
            messageStreamID = id
            client.send(ClientRequests.play(stream), streamID: id)
            client.flush()
        case .error(Self.createStreamTransaction, _, let arguments):
            fail("createStream refused: \(arguments.first?["description"]?.stringValue ?? "error")")
        case .onStatus(let info):
            let code = info["code"]?.stringValue ?? ""
            if code == StatusCode.playStart {
                events.emit(.upstreamPlayStarted(server: target.id, stream: stream))
            } else if code == StatusCode.playUnpublishNotify {
                // The stream stopped upstream. If it comes back on this play (PublishNotify, then
                // media), it is spliced in afresh at its next keyframe, with all its headers.
                guard sourceID != nil else { break }
                feed = UpstreamFeed(gopLimit: hub.gopCacheLimit)
                _ = feed.activate(playersHave: [])
                inHub = false
                onUnpublished(self)
            } else if code == StatusCode.playStreamNotFound || info["level"]?.stringValue == "error" {
                fail(code)
            }
        default:
            break
        }
    }

    /// The play ended by itself: report it, end the connection, and leave the session.
    private func fail(_ reason: String) {
        guard !stopped else { return }
        events.emit(.upstreamPlayFailed(server: target.id, stream: stream, reason: reason))
        stop()
        onEnded(self)
    }

    // MARK: Media

    private func received(_ frame: MediaFrame) {
        lastMedia = .now()
        if idleReported {
            // The server was reported idle and the control plane moved on; media flows again,
            // which it hears as an answer: the server rejoins the bottom of the stream's list.
            idleReported = false
            events.emit(.upstreamPlayStarted(server: target.id, stream: stream))
        }
        pending.append(contentsOf: feed.receive(frame))
    }

    func clientReadComplete(_ client: RTMPClientHandler) {
        guard let eventLoop else { return push(pending.take()) }
        let play = NIOLoopBound(self, eventLoop: eventLoop)
        push(pending.readEnded(on: eventLoop) { play.value.pushPending() })
    }

    private func pushPending() {
        push(pending.take())
    }

    /// Relays frames, splicing this play into the hub first if it is not there yet.
    private func push(_ frames: [MediaFrame]) {
        guard !frames.isEmpty, let sourceID else { return }
        if !inHub {
            inHub = true
            hub.spliceSource(stream, sourceID: sourceID, source: StreamSource(kind: "upstream", upstream: target.id))
        }
        pending.relayed(toPlayers: hub.push(frames, stream: stream, sourceID: sourceID))
    }
}
