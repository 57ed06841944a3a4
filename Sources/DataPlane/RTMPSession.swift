import RTMP

/// The command layer of one RTMP server connection as a value, first slice (work in progress on
/// the `session-machine` branch): a command comes in, the actions the connection must carry out
/// come out; `RTMPConnection.perform` carries them out. The connection owns the socket, the hub and the
/// timers and reports what they answered (`publishStarted`, `publishRefused`); this owns the
/// rules: connect first, the app, stream ids, which stream a `deleteStream` ends.
///
/// Covered so far: connect, createStream, releaseStream, publish (the request and its answer),
/// deleteStream, closeStream, `_checkbw`, unknown calls. Still in `RTMPConnection`: FCPublish,
/// play (live and VOD), subscribe, seek/pause, FCAddChild, getStreamLength.
struct RTMPSession {
    /// What the connection does, in order.
    enum Action: Equatable {
        /// A protocol control message on chunk stream 2.
        case sendControl(RTMPMessage)
        case reply(CommandMessage, streamID: UInt32)
        /// Ask the hub (and the publish keys) for `name`; answer with `publishStarted` or
        /// `publishRefused`.
        case requestPublish(name: String, raw: String, streamID: UInt32)
        case stopPublishing
        case stopPlaying
        /// Close once the replies are out (a refused connect).
        case closeAfterFlush
        /// Close now: a protocol error of this one connection, counted under `counter`.
        case close(reason: String, counter: String)
    }

    /// The application this node serves; a connect to another one is refused.
    let app: String
    /// Chunk size announced at connect.
    let outgoingChunkSize: Int
    private(set) var connected = false
    /// `connect`'s app field as sent (a VOD name's front or a publish key may be in it).
    private(set) var connectedApp = ""
    private(set) var connectTcUrl: String?
    private(set) var negotiatedMultitrack = false
    private var lastStreamID: UInt32 = 0
    /// The stream being published and its message stream id.
    private(set) var publishing: (name: String, streamID: UInt32)?
    /// A publish asked of the hub and not answered yet.
    private var publishPending = false
    /// The message stream id of the current play.
    var playStreamID: UInt32 = 1

    init(app: String, outgoingChunkSize: Int) {
        self.app = app
        self.outgoingChunkSize = outgoingChunkSize
    }

    /// A command from the peer on message stream `streamID`.
    mutating func received(_ command: RTMPCommand, streamID: UInt32) -> [Action] {
        switch command {
        case .connect(let connect):
            return self.connect(connect)
        case _ where !connected:
            return [.close(reason: "command before connect", counter: "protocol-error")]
        case .createStream(let transactionID):
            // Stream ids are never reused on a connection; past 2^32 − 1 the peer is not sane.
            guard lastStreamID < UInt32.max else {
                return [.close(reason: "too many streams", counter: "protocol-error")]
            }
            lastStreamID += 1
            return [.reply(StatusMessages.result(transactionID: transactionID, .number(Double(lastStreamID))), streamID: 0)]
        case .releaseStream(let transactionID, _):
            return [.reply(StatusMessages.result(transactionID: transactionID), streamID: 0)]
        case .publish(_, let raw, _):
            guard publishing == nil, !publishPending else { return [] }
            let name: String
            do {
                name = try StreamName.normalize(raw)
            } catch {
                return [.reply(StatusMessages.onStatus(code: StatusCode.publishBadName, description: "\(raw): \(error)", level: "error"),
                               streamID: streamID),
                        .closeAfterFlush]
            }
            publishPending = true
            return [.requestPublish(name: name, raw: raw, streamID: streamID)]
        case .deleteStream(_, let id):
            return ending(streamID: id)
        case .closeStream:
            return ending(streamID: streamID)
        case .other(let call) where call.name == "_checkbw":
            return [.reply(StatusMessages.result(transactionID: call.transactionID), streamID: 0)]
        case .other(let call) where call.transactionID != 0 && call.name != "getStreamLength":
            return [.reply(StatusMessages.error(transactionID: call.transactionID, code: "NetConnection.Call.Failed",
                                                description: "Method not found (\(call.name))."), streamID: 0)]
        default:
            return []
        }
    }

    /// The hub gave the stream to this connection.
    mutating func publishStarted(name: String, streamID: UInt32) -> [Action] {
        publishPending = false
        publishing = (name, streamID)
        return [.sendControl(ProtocolControl.userControl(.streamBegin(streamID: streamID))),
                .reply(StatusMessages.onStatus(code: StatusCode.publishStart, description: "\(name) is now published."), streamID: streamID)]
    }

    /// The publish ended (unpublish, deleteStream, the connection going away).
    mutating func publishEnded() {
        publishing = nil
    }

    /// The hub or the publish keys refused: `NetStream.Publish.BadName`, and the connection closed
    /// once it is out. The name stays free.
    mutating func publishRefused(description: String, streamID: UInt32) -> [Action] {
        publishPending = false
        return [.reply(StatusMessages.onStatus(code: StatusCode.publishBadName, description: description, level: "error"), streamID: streamID),
                .closeAfterFlush]
    }

    private mutating func connect(_ connect: ConnectCommand) -> [Action] {
        guard !connected else { return [] }
        guard connect.appName == app else {
            return [.reply(StatusMessages.error(transactionID: connect.transactionID, code: StatusCode.connectRejected,
                                                description: "Application '\(connect.appName)' is not served here (app is '\(app)')."),
                           streamID: 0),
                    .closeAfterFlush]
        }
        connected = true
        connectedApp = connect.app
        connectTcUrl = connect.tcUrl
        // E-RTMP: answer with the codecs and capsEx we share; legacy clients get the legacy answer.
        let enhanced = EnhancedCapabilities(commandObject: connect.commandObject).map { EnhancedCapabilities.relay.answer(to: $0) }
        negotiatedMultitrack = enhanced?.supportsMultitrack ?? false
        return [.sendControl(ProtocolControl.windowAcknowledgementSize(2_500_000)),
                .sendControl(ProtocolControl.setPeerBandwidth(2_500_000)),
                .sendControl(ProtocolControl.setChunkSize(outgoingChunkSize)),
                .reply(StatusMessages.connectSuccess(transactionID: connect.transactionID, objectEncoding: connect.objectEncoding,
                                                     enhanced: enhanced), streamID: 0)]
    }

    /// `deleteStream(id)` or `closeStream` on `id`: ends what runs on that stream.
    private mutating func ending(streamID id: UInt32) -> [Action] {
        var actions: [Action] = []
        if let publishing, publishing.streamID == id {
            self.publishing = nil
            actions.append(.stopPublishing)
        }
        if id == playStreamID { actions.append(.stopPlaying) }
        return actions
    }
}
