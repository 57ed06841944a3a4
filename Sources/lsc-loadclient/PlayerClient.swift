import FLV
import NIOCore
import NIOConcurrencyHelpers
import RTMP

/// What one load-client player saw.
struct PlayerReport: Sendable {
    var connected = false
    var closed = false
    var error: String?
    var statuses: [String] = []
    var bytes = 0
    var videoFrames = 0
    var audioFrames = 0
    var firstVideoWasKeyframe: Bool?
    var nonMonotonic = 0
    var firstMediaAt: NIODeadline?
    var lastMediaAt: NIODeadline?
    var firstTimestamp: UInt32?
    var lastTimestamp: UInt32?
    /// Largest gap between two media messages, in milliseconds of wall time.
    var maxGapMilliseconds: Int64 = 0
}

/// A minimal RTMP player: handshake, connect, createStream, play; then counts media. It stays
/// connected through `UnpublishNotify`, unlike stock players, so tests can watch a publisher restart.
final class PlayerClient: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let app: String
    private let tcUrl: String
    private let streamName: String
    private let report: NIOLockedValueBox<PlayerReport>
    private var handshake = RTMPClientHandshake(useDigest: true)
    private var decoder = ChunkDecoder()
    private var acknowledgements = AcknowledgementTracker()
    private var chunkSize = 128
    private var lastVideoTimestamp: UInt32?

    init(app: String, tcUrl: String, streamName: String, report: NIOLockedValueBox<PlayerReport>) {
        self.app = app
        self.tcUrl = tcUrl
        self.streamName = streamName
        self.report = report
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: handshake.start())), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        report.withLockedValue { $0.closed = true }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        report.withLockedValue { $0.error = "\(error)" }
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if handshake.state != .done {
            do {
                if case .completed(let c2, let leftover) = try handshake.feed(bytes.readBytes(length: bytes.readableBytes) ?? []) {
                    context.write(wrapOutboundOut(ByteBuffer(bytes: c2)), promise: nil)
                    send(ClientRequests.connect(app: app, tcUrl: tcUrl).message(), context: context)
                    decoder.append(bytes: leftover)
                } else {
                    return
                }
            } catch {
                report.withLockedValue { $0.error = "handshake: \(error)" }
                context.close(promise: nil)
                return
            }
        } else {
            if let ack = acknowledgements.received(bytes.readableBytes) {
                send(ProtocolControl.acknowledgement(sequenceNumber: ack), context: context, chunkStreamID: 2)
            }
            decoder.append(bytes)
        }
        do {
            while let message = try decoder.nextMessage() { handle(message, context: context) }
        } catch {
            report.withLockedValue { $0.error = "decode: \(error)" }
            context.close(promise: nil)
        }
        context.flush()
    }

    private func handle(_ message: RTMPMessage, context: ChannelHandlerContext) {
        switch message.type {
        case .audio, .video:
            let now = NIODeadline.now()
            let isVideo = message.typeID == 9
            let frame = MediaFrame(kind: isVideo ? .video : .audio, timestamp: message.timestamp, payload: message.payload)
            let isConfig = frame.isSequenceHeader
            report.withLockedValue { report in
                report.bytes += message.payload.readableBytes
                if let last = report.lastMediaAt { report.maxGapMilliseconds = max(report.maxGapMilliseconds, (now - last).nanoseconds / 1_000_000) }
                if report.firstMediaAt == nil { report.firstMediaAt = now }
                report.lastMediaAt = now
                if report.firstTimestamp == nil { report.firstTimestamp = message.timestamp }
                report.lastTimestamp = message.timestamp
                guard !isConfig else { return }
                if isVideo {
                    report.videoFrames += 1
                    if report.firstVideoWasKeyframe == nil { report.firstVideoWasKeyframe = frame.isVideoKeyframe }
                    if let previous = lastVideoTimestamp, message.timestamp < previous { report.nonMonotonic += 1 }
                    lastVideoTimestamp = message.timestamp
                } else {
                    report.audioFrames += 1
                }
            }
        case .commandAMF0, .commandAMF3:
            guard let command = try? CommandMessage(message: message) else { return }
            switch RTMPCommand(command) {
            case .result(1, _, _):
                report.withLockedValue { $0.connected = true }
                send(ProtocolControl.windowAcknowledgementSize(2_500_000), context: context, chunkStreamID: 2)
                send(ClientRequests.createStream(transactionID: 2).message(), context: context)
            case .result(2, _, let arguments):
                let streamID = UInt32(arguments.first?.numberValue ?? 1)
                send(ClientRequests.play(streamName).message(streamID: streamID), context: context)
                send(ProtocolControl.userControl(.setBufferLength(streamID: streamID, milliseconds: 1000)), context: context, chunkStreamID: 2)
            case .error(_, _, let arguments):
                let code = arguments.first?["code"]?.stringValue ?? "error"
                report.withLockedValue { $0.statuses.append(code) }
            case .onStatus(let info):
                if let code = info["code"]?.stringValue { report.withLockedValue { $0.statuses.append(code) } }
            default:
                break
            }
        case .userControl:
            if case .pingRequest(let timestamp) = UserControlEvent(payload: message.payload) {
                send(ProtocolControl.userControl(.pingResponse(timestamp: timestamp)), context: context, chunkStreamID: 2)
            }
        default:
            break
        }
    }

    private func send(_ message: RTMPMessage, context: ChannelHandlerContext, chunkStreamID: UInt32 = 3) {
        context.write(wrapOutboundOut(ChunkEncoder.encode(message, chunkStreamID: chunkStreamID, chunkSize: chunkSize)), promise: nil)
    }
}
