import NIOCore
import NIOSSL
import NIOPosix
import RTMP

/// What an `RTMPClientHandler` tells its owner. Called on the handler's event loop.
protocol RTMPClientDelegate: AnyObject {
    /// `connect` succeeded (`NetConnection.Connect.Success`).
    func clientConnected(_ client: RTMPClientHandler)
    /// A message other than protocol control and the `connect` answer.
    func client(_ client: RTMPClientHandler, received message: RTMPMessage)
    /// The connection is gone (or never came up), with the first reason known.
    func clientClosed(_ client: RTMPClientHandler, reason: String)
    /// The messages of one read have all been delivered (time to push a batch).
    func clientReadComplete(_ client: RTMPClientHandler)
}

extension RTMPClientDelegate {
    func clientReadComplete(_ client: RTMPClientHandler) {}
}

/// The client side of one RTMP connection, for a relay talking to its upstream: the session
/// handler of an `RTMPChannel` pipeline (which does the handshake, acknowledgements and pings)
/// that `connect`s to an app; everything else goes to the delegate.
/// Every call happens on the channel's event loop.
final class RTMPClientHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = RTMPMessage
    typealias OutboundOut = ByteBuffer

    private static let connectTransaction: Double = 1

    weak var delegate: (any RTMPClientDelegate)?
    private let host: String
    private let port: Int
    private let app: String
    /// Presented in `connect` (a child relay's pulls; see `ClientRequests.connect`).
    private let clusterSecret: String?
    private var context: ChannelHandlerContext?
    private let limits: ChunkDecoderLimits
    private var outgoingChunkSize = 128
    private var closeReason: String?
    private var reportedClosed = false
    private var connectDeadline: Scheduled<Void>?
    private(set) var isConnected = false
    private var usesTLS = false
    /// How long the upstream has to complete the handshake and answer `connect`.
    static let connectTimeout: TimeAmount = .seconds(5)

    init(host: String, port: Int, app: String, limits: ChunkDecoderLimits, clusterSecret: String? = nil) {
        self.host = host
        self.port = port
        self.app = app
        self.clusterSecret = clusterSecret
        self.limits = limits
    }

    /// Connects to `host:port` on `loop` and speaks RTMP to `app`; failures reach `delegate`.
    /// With `tls`, the connection is RTMPS: the upstream's certificate is verified against the
    /// context's trust roots and `host` (its IP address when `host` is one).
    static func open(host: String, port: Int, app: String, limits: ChunkDecoderLimits, clusterSecret: String? = nil,
                     tls: NIOSSLContext? = nil, on loop: any EventLoop, delegate: any RTMPClientDelegate) -> RTMPClientHandler {
        let handler = RTMPClientHandler(host: host, port: port, app: app, limits: limits, clusterSecret: clusterSecret)
        handler.delegate = delegate
        handler.usesTLS = tls != nil
        // SNI and name checks need a name: an IP address is checked against the certificate's IP entries.
        let serverName = host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : host
        ClientBootstrap(group: loop)
            .connectTimeout(.seconds(3))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName)) }
                    try RTMPChannel.configure(channel.pipeline.syncOperations, side: .client(RTMPClientHandshake()),
                                              limits: limits, session: handler)
                }
            }
            .connect(host: host, port: port)
            .whenFailure { error in handler.connectFailed(error) }
        return handler
    }

    // MARK: Channel lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // Closed before the connection came up.
        if closeReason != nil { context.close(promise: nil) }
    }

    func channelActive(context: ChannelHandlerContext) {
        // A server that accepts the connection but never answers must not hold it forever.
        connectDeadline = context.eventLoop.scheduleTask(in: Self.connectTimeout) { [weak self] in
            self?.close(reason: "no answer to connect within \(Self.connectTimeout.nanoseconds / 1_000_000_000) s")
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        connectDeadline?.cancel()
        self.context = nil
        reportClosed(closeReason ?? "connection closed by the upstream")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case is RTMPHandshakeError: close(reason: "bad handshake from upstream: \(error)")
        case is ChunkDecoderError: close(reason: "protocol error from upstream: \(error)")
        // TLS failures (an unverifiable certificate above all) say so plainly in the topology API.
        case is NIOSSLError where usesTLS, is BoringSSLError where usesTLS:
            close(reason: "TLS handshake with \(host):\(port) failed (certificate not verified?): \(error)")
        default: close(reason: "\(error)")
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is RTMPHandshakeCompleted else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        send(ProtocolControl.setChunkSize(4096), on: RTMPChunkStreamID.control)
        let tcUrl = ClientRequests.tcUrl(host: host, port: port, app: app)
        send(ClientRequests.connect(transactionID: Self.connectTransaction, app: app, tcUrl: tcUrl,
                                    enhanced: .relay, clusterSecret: clusterSecret).message(), on: RTMPChunkStreamID.command)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard closeReason == nil else { return }
        handle(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        delegate?.clientReadComplete(self)
        context.flush()
    }

    private func handle(_ message: RTMPMessage) {
        switch message.type {
        case .windowAcknowledgementSize, .userControl, .setChunkSize, .abort, .acknowledgement, .setPeerBandwidth, .none:
            // Acknowledgements and pings are answered by the chunk layer (`RTMPMessageDecoder`).
            break
        case .commandAMF0 where !isConnected, .commandAMF3 where !isConnected:
            guard let command = try? CommandMessage(message: message) else {
                close(reason: "undecodable command from upstream")
                return
            }
            switch RTMPCommand(command) {
            case .result(Self.connectTransaction, _, _):
                isConnected = true
                connectDeadline?.cancel()
                send(ProtocolControl.windowAcknowledgementSize(2_500_000), on: RTMPChunkStreamID.control)
                delegate?.clientConnected(self)
                flush()
            case .error(Self.connectTransaction, _, let arguments):
                close(reason: "upstream refused connect: \(arguments.first?["description"]?.stringValue ?? "error")")
            default:
                delegate?.client(self, received: message)
            }
        default:
            delegate?.client(self, received: message)
        }
    }

    // MARK: Output

    /// Sends a command (on the command chunk stream), on message stream `streamID`.
    func send(_ command: CommandMessage, streamID: UInt32 = 0) {
        send(command.message(streamID: streamID), on: RTMPChunkStreamID.command)
    }

    private func send(_ message: RTMPMessage, on chunkStreamID: UInt32) {
        write(ChunkEncoder.encode(message, chunkStreamID: chunkStreamID, chunkSize: outgoingChunkSize))
        if message.type == .setChunkSize, let size = ProtocolControl.uint32Value(of: message) {
            outgoingChunkSize = Int(size)
        }
    }

    private func write(_ buffer: ByteBuffer) {
        context?.write(wrapOutboundOut(buffer), promise: nil)
    }

    func flush() { context?.flush() }

    /// Closes the connection; the delegate hears `reason` (unless an earlier reason was given).
    func close(reason: String) {
        if closeReason == nil { closeReason = reason }
        if let context {
            context.close(promise: nil)
        } else {
            reportClosed(reason)
        }
    }

    /// The TCP connection could not be made at all.
    func connectFailed(_ error: any Error) {
        reportClosed("connect failed: \(error)")
    }

    private func reportClosed(_ reason: String) {
        guard !reportedClosed else { return }
        reportedClosed = true
        delegate?.clientClosed(self, reason: reason)
    }
}
