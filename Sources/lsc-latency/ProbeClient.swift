import Foundation
import LatencyProbe
import NIOConcurrencyHelpers
import NIOCore
import RTMP

/// What a probe connection does once connected: publish the synthetic stream, or play and record.
enum ProbeRole: Sendable {
    case publisher(SyntheticAVCStream)
    case player(NIOLockedValueBox<LatencyRecorder>)
}

/// Connection-level facts the report needs beside the latency samples.
struct ProbeConnectionState: Sendable {
    var closed = false
    var mediaStarted = false
    var statuses: [String] = []
    var error: String?
}

/// One RTMP client connection of the probe: handshake, connect, then either
/// releaseStream/FCPublish/createStream/publish and a frame every 1/fps s on monotonic deadlines,
/// or createStream/play and a latency sample per stamped video frame.
final class ProbeClient: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private static let chunkSize = 4096
    private let url: RTMPURL
    private let role: ProbeRole
    private let state: NIOLockedValueBox<ProbeConnectionState>
    private let events: ProbeEventLog
    private let label: String
    private var handshake = RTMPClientHandshake(useDigest: true)
    private var decoder = ChunkDecoder()
    private var acknowledgements = AcknowledgementTracker()
    private var streamID: UInt32 = 1
    private var sequence: UInt64 = 0
    private var publishStart: NIODeadline?
    private var nextFrame: Scheduled<Void>?

    init(url: RTMPURL, role: ProbeRole, state: NIOLockedValueBox<ProbeConnectionState>, events: ProbeEventLog, label: String) {
        self.url = url
        self.role = role
        self.state = state
        self.events = events
        self.label = label
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: handshake.start())), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        nextFrame?.cancel()
        state.withLockedValue { $0.closed = true }
        events.emit(["event": "closed", "connection": label])
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail("\(error)", context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let arrival = NIODeadline.now().uptimeNanoseconds
        var bytes = unwrapInboundIn(data)
        if handshake.state != .done {
            do {
                guard case .completed(let c2, let leftover) = try handshake.feed(bytes.readBytes(length: bytes.readableBytes) ?? []) else { return }
                context.write(wrapOutboundOut(ByteBuffer(bytes: c2)), promise: nil)
                send(ProtocolControl.setChunkSize(Self.chunkSize), context: context, chunkStreamID: RTMPChunkStreamID.control)
                send(ClientRequests.connect(app: url.app, tcUrl: url.tcUrl).message(), context: context)
                decoder.append(bytes: leftover)
            } catch {
                fail("handshake: \(error)", context: context)
                return
            }
        } else {
            if let ack = acknowledgements.received(bytes.readableBytes) {
                send(ProtocolControl.acknowledgement(sequenceNumber: ack), context: context, chunkStreamID: RTMPChunkStreamID.control)
            }
            decoder.append(bytes)
        }
        do {
            while let message = try decoder.nextMessage() { handle(message, arrival: arrival, context: context) }
        } catch {
            fail("decode: \(error)", context: context)
        }
        context.flush()
    }

    private func handle(_ message: RTMPMessage, arrival: UInt64, context: ChannelHandlerContext) {
        switch message.type {
        case .video:
            guard case .player(let recorder) = role, let stamp = LatencyStamp(videoTagBody: message.payload) else { return }
            let gap = recorder.withLockedValue { $0.record(stamp, arrivedAt: arrival, timestamp: message.timestamp) }
            state.withLockedValue { $0.mediaStarted = true }
            events.gap(nanoseconds: gap, connection: label)
            events.late(nanoseconds: arrival >= stamp.sentNanoseconds ? arrival - stamp.sentNanoseconds : 0, connection: label)
        case .windowAcknowledgementSize:
            if let size = ProtocolControl.uint32Value(of: message) { acknowledgements.setWindowSize(size) }
        case .commandAMF0, .commandAMF3:
            guard let command = try? CommandMessage(message: message) else { return }
            handle(RTMPCommand(command), context: context)
        case .userControl:
            if case .pingRequest(let timestamp) = UserControlEvent(payload: message.payload) {
                send(ProtocolControl.userControl(.pingResponse(timestamp: timestamp)), context: context, chunkStreamID: RTMPChunkStreamID.control)
            }
        default:
            break
        }
    }

    // Transaction ids: 1 connect, 2 releaseStream, 3 FCPublish, 4 createStream.
    private func handle(_ command: RTMPCommand, context: ChannelHandlerContext) {
        switch command {
        case .result(1, _, _):
            send(ProtocolControl.windowAcknowledgementSize(2_500_000), context: context, chunkStreamID: RTMPChunkStreamID.control)
            if case .publisher = role {
                send(ClientRequests.releaseStream(url.stream, transactionID: 2).message(), context: context)
                send(ClientRequests.fcPublish(url.stream, transactionID: 3).message(), context: context)
            }
            send(ClientRequests.createStream(transactionID: 4).message(), context: context)
        case .result(4, _, let arguments):
            streamID = UInt32(max(1, arguments.first?.numberValue ?? 1))
            switch role {
            case .publisher:
                send(ClientRequests.publish(url.stream).message(streamID: streamID), context: context)
            case .player:
                send(ClientRequests.play(url.stream).message(streamID: streamID), context: context)
                send(ProtocolControl.userControl(.setBufferLength(streamID: streamID, milliseconds: 0)), context: context,
                     chunkStreamID: RTMPChunkStreamID.control)
            }
        case .error(let transactionID, _, let arguments) where transactionID == 1 || transactionID == 4:
            fail(arguments.first?["code"]?.stringValue ?? "_error", context: context)
        case .onStatus(let info):
            guard let code = info["code"]?.stringValue else { return }
            state.withLockedValue { $0.statuses.append(code) }
            events.emit(["event": "status", "connection": label, "code": code])
            if code == StatusCode.publishStart, case .publisher(let stream) = role, publishStart == nil {
                startPublishing(stream, context: context)
            }
        default:
            break
        }
    }

    private func startPublishing(_ stream: SyntheticAVCStream, context: ChannelHandlerContext) {
        let start = NIODeadline.now()
        publishStart = start
        state.withLockedValue { $0.mediaStarted = true }
        send(RTMPMessage(typeID: RTMPMessageType.video.rawValue, streamID: streamID, timestamp: 0, payload: stream.sequenceHeader),
             context: context, chunkStreamID: RTMPChunkStreamID.video)
        context.flush()
        scheduleFrame(stream, start: start, context: context)
    }

    // Frames go out on absolute deadlines (start + n/fps) so that late wake-ups do not add up.
    private func scheduleFrame(_ stream: SyntheticAVCStream, start: NIODeadline, context: ChannelHandlerContext) {
        let due = start + .nanoseconds(stream.frameIntervalNanoseconds * Int64(sequence))
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        nextFrame = context.eventLoop.scheduleTask(deadline: due) { [self] in
            let context = loopBound.value
            let sent = NIODeadline.now().uptimeNanoseconds
            let message = RTMPMessage(typeID: RTMPMessageType.video.rawValue, streamID: streamID,
                                      timestamp: stream.timestamp(of: sequence), payload: stream.frame(sequence, sentAt: sent))
            send(message, context: context, chunkStreamID: RTMPChunkStreamID.video)
            context.flush()
            sequence += 1
            scheduleFrame(stream, start: start, context: context)
        }
    }

    private func fail(_ reason: String, context: ChannelHandlerContext) {
        state.withLockedValue { $0.error = $0.error ?? reason }
        events.emit(["event": "error", "connection": label, "error": reason])
        context.close(promise: nil)
    }

    private func send(_ message: RTMPMessage, context: ChannelHandlerContext, chunkStreamID: UInt32 = RTMPChunkStreamID.command) {
        context.write(wrapOutboundOut(ChunkEncoder.encode(message, chunkStreamID: chunkStreamID, chunkSize: Self.chunkSize)), promise: nil)
    }
}

/// Optional JSON lines on standard error, one per event, with wall-clock time (`at`, Unix
/// seconds) so that a script can line them up with what it did (e.g. a kill).
struct ProbeEventLog: Sendable {
    /// Arrival gaps and latencies at least this long are reported; 0 reports none.
    var gapThresholdNanoseconds: UInt64
    var enabled: Bool

    func gap(nanoseconds: UInt64, connection: String) {
        guard enabled, gapThresholdNanoseconds > 0, nanoseconds >= gapThresholdNanoseconds else { return }
        emit(["event": "gap", "connection": connection, "gapMs": Double(nanoseconds / 1000) / 1000])
    }

    /// Frames that arrive at least the threshold after they were sent (e.g. a cached GOP replayed).
    func late(nanoseconds: UInt64, connection: String) {
        guard enabled, gapThresholdNanoseconds > 0, nanoseconds >= gapThresholdNanoseconds else { return }
        emit(["event": "late", "connection": connection, "latencyMs": Double(nanoseconds / 1000) / 1000])
    }

    /// Frames each player has received so far, so that a script sees media flowing (or not).
    func progress(_ recorders: [NIOLockedValueBox<LatencyRecorder>]) {
        guard enabled else { return }
        for (index, recorder) in recorders.enumerated() {
            emit(["event": "received", "connection": "player\(index)", "frames": recorder.withLockedValue(\.received)])
        }
    }

    func emit(_ fields: [String: any Sendable]) {
        guard enabled else { return }
        var object = fields
        object["at"] = Date().timeIntervalSince1970
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        FileHandle.standardError.write(data + Data("\n".utf8))
    }
}
