import HighlightExport
import PlayAuthorization
import RTMP

/// The command layer of one RTMP server connection as a value: a command comes in, the actions
/// the connection must carry out come out, in order; `RTMPConnection.perform` carries them out.
/// The session owns the rules and what they depend on (connect first, the app, stream ids, the
/// publish keys, play tokens, which stream a `deleteStream` ends, what is being published or
/// played); the connection owns the socket, the hub and the timers, and reports what the hub
/// answered (`publishStarted`, `publishRefused`). Facts about the node come from an
/// `RTMPSessionNode`, so tests drive a session command by command without a node.
struct RTMPSession {
    /// What the connection does, in order.
    enum Action: Equatable {
        /// A protocol control message on chunk stream 2.
        case sendControl(RTMPMessage)
        /// A data message (`|RtmpSampleAccess`) on the data chunk stream.
        case sendData(RTMPMessage)
        case reply(CommandMessage, streamID: UInt32)
        /// Ask the hub for `name` (the keys have been checked); answer with `publishStarted` or
        /// `publishRefused`.
        case requestPublish(name: String, streamID: UInt32)
        /// End the publish of `name` (the session has already let it go).
        case stopPublishing(name: String)
        /// Leave the live stream or stop the recorded file being played.
        case stopPlaying
        /// Join the live stream `name` on message stream `streamID`: its cached GOP follows.
        case joinLive(name: String, streamID: UInt32)
        /// Play the recorded file `name` (`raw` as the client named it) from `start` for `length`.
        case playRecorded(VODName, raw: String, start: Double?, length: Double?, streamID: UInt32)
        case seekRecorded(milliseconds: Double)
        case pauseRecorded(Bool, milliseconds: Double)
        /// Answer `getStreamLength` with the recorded duration of `name` (read off the event loop).
        case replyRecordedLength(VODName, transactionID: Double)
        /// Ask the upstreams for `name` (an edge or intermediate pulls it).
        case demand(name: String)
        /// A downstream node registered (`FCAddChild`), serving `app`.
        case registerChild(app: String?)
        /// The connection publishes, plays or registered: it is no longer idle.
        case cancelIdleTimeout
        /// Something was refused: log `message` (about `stream`), count it under `counter`.
        case refused(counter: String, message: String, stream: String? = nil)
        /// Log at info level, count nothing.
        case note(String)
        /// Close once the replies are out.
        case closeAfterFlush
        /// Close now: a protocol error of this one connection, counted under `counter`.
        case close(reason: String, counter: String)
    }

    /// The application this node serves; a connect to another one is refused.
    let app: String
    /// Chunk size announced at connect.
    let outgoingChunkSize: Int
    private(set) var connected = false
    /// `connect`'s app field as sent: its instance may hold the front of a VOD name, its query a
    /// publish key.
    private(set) var connectedApp = ""
    /// `connect`'s tcUrl as sent (a publish key may be in its query).
    private(set) var connectTcUrl: String?
    private(set) var negotiatedMultitrack = false
    /// Registered with `FCAddChild`, or presented the cluster secret in `connect` (a child's pull).
    private(set) var registeredChild = false
    private var lastStreamID: UInt32 = 0
    /// The stream being published and its message stream id.
    private(set) var publishing: (name: String, streamID: UInt32)?
    /// A publish asked of the hub and not answered yet.
    private var publishPending = false
    // Play state: set by the play decisions in `RTMPSession+Play.swift` (hence not private).
    /// The live stream being played, if any.
    var playingLive: String?
    /// A recorded file is being played.
    var playingRecorded = false
    /// The message stream id of the current play.
    var playStreamID: UInt32 = 1

    init(app: String, outgoingChunkSize: Int) {
        self.app = app
        self.outgoingChunkSize = outgoingChunkSize
    }

    /// A command from the peer on message stream `streamID`.
    mutating func received(_ command: RTMPCommand, streamID: UInt32, node: some RTMPSessionNode) -> [Action] {
        switch command {
        case .connect(let connect):
            return self.connect(connect, node: node)
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
        case .fcPublish(_, let raw):
            let free = (try? StreamName.normalize(raw)).map { !node.isPublished($0) } ?? false
            return [.reply(StatusMessages.callback("onFCPublish", code: free ? StatusCode.publishStart : StatusCode.publishBadName,
                                                   description: raw, level: free ? "status" : "error"), streamID: 0)]
        case .fcUnpublish(_, let raw):
            var actions: [Action] = [.reply(StatusMessages.callback("onFCUnpublish", code: StatusCode.unpublishSuccess, description: raw),
                                            streamID: 0)]
            if let name = try? StreamName.normalize(raw), name == publishing?.name {
                publishing = nil
                actions.append(.stopPublishing(name: name))
            }
            return actions
        case .publish(_, let raw, _):
            return publish(raw, streamID: streamID, node: node)
        case .play(_, let raw, let start, let length):
            return play(raw, start: start, length: length, streamID: streamID, node: node)
        case .seek(_, let milliseconds):
            return playingRecorded ? [.seekRecorded(milliseconds: milliseconds)] : []
        case .pause(_, let paused, let milliseconds):
            return playingRecorded ? [.pauseRecorded(paused, milliseconds: milliseconds)] : []
        case .subscribe(_, let raw, let spelling):
            return subscribe(raw, spelling: spelling, node: node)
        case .unsubscribe(_, let raw):
            var actions: [Action] = [.reply(StatusMessages.callback("onFCUnsubscribe", code: StatusCode.playStop, description: raw),
                                            streamID: 0)]
            if let name = try? StreamName.normalize(raw), name == playingLive {
                actions += stopPlaying()
                actions.append(.reply(StatusMessages.onStatus(code: StatusCode.playStop, description: raw), streamID: playStreamID))
            }
            return actions
        case .deleteStream(_, let id):
            return ending(streamID: id)
        case .closeStream:
            return ending(streamID: streamID)
        case .fcAddChild(let transactionID, let arguments):
            return addChild(transactionID: transactionID, arguments: arguments, node: node)
        case .other(let call) where call.name == "_checkbw":
            return [.reply(StatusMessages.result(transactionID: call.transactionID), streamID: 0)]
        case .other(let call) where call.name == "getStreamLength":
            return streamLength(call)
        case .other(let call) where call.transactionID != 0:
            return [.reply(StatusMessages.error(transactionID: call.transactionID, code: "NetConnection.Call.Failed",
                                                description: "Method not found (\(call.name))."), streamID: 0)]
        case .receiveAudio, .receiveVideo, .addStream, .removeStream, .result, .error, .onStatus, .other:
            return []
        }
    }

    // MARK: Connect and publish

    private mutating func connect(_ connect: ConnectCommand, node: some RTMPSessionNode) -> [Action] {
        guard !connected else { return [] }
        guard connect.appName == app else {
            return [.note("rejecting connect to unknown app \(connect.app)"),
                    .reply(StatusMessages.error(transactionID: connect.transactionID, code: StatusCode.connectRejected,
                                                description: "Application '\(connect.appName)' is not served here (app is '\(app)')."),
                           streamID: 0),
                    .closeAfterFlush]
        }
        connected = true
        connectedApp = connect.app
        connectTcUrl = connect.tcUrl
        // A child's pull presents the cluster secret in connect instead of registering.
        if node.requiresClusterSecret, let secret = connect.commandObject[ClientRequests.clusterSecretProperty]?.stringValue,
           node.acceptsClusterSecret(secret) {
            registeredChild = true
        }
        // E-RTMP: answer with the codecs and capsEx we share; legacy clients get the legacy answer.
        let enhanced = EnhancedCapabilities(commandObject: connect.commandObject).map { EnhancedCapabilities.relay.answer(to: $0) }
        negotiatedMultitrack = enhanced?.supportsMultitrack ?? false
        return [.sendControl(ProtocolControl.windowAcknowledgementSize(2_500_000)),
                .sendControl(ProtocolControl.setPeerBandwidth(2_500_000)),
                .sendControl(ProtocolControl.setChunkSize(outgoingChunkSize)),
                .reply(StatusMessages.connectSuccess(transactionID: connect.transactionID, objectEncoding: connect.objectEncoding,
                                                     enhanced: enhanced), streamID: 0)]
    }

    private mutating func publish(_ raw: String, streamID: UInt32, node: some RTMPSessionNode) -> [Action] {
        guard publishing == nil, !publishPending else { return [] }
        let name: String
        do {
            name = try StreamName.normalize(raw)
        } catch {
            return refusePublish(description: "\(raw): \(error)", streamID: streamID)
        }
        let key = PublishKeys.presentedKey(publishName: raw, app: connectedApp, tcUrl: connectTcUrl)
        guard node.mayPublish(stream: name, key: key) else {
            // The name stays free: nothing was claimed.
            return [.refused(counter: "bad-publish-key", message: "refusing publish: missing or wrong publish key", stream: name)]
                + refusePublish(description: "\(name): missing or wrong publish key", streamID: streamID)
        }
        publishPending = true
        return [.requestPublish(name: name, streamID: streamID)]
    }

    /// The hub gave the stream to this connection.
    mutating func publishStarted(name: String, streamID: UInt32) -> [Action] {
        publishPending = false
        publishing = (name, streamID)
        return [.cancelIdleTimeout,
                .sendControl(ProtocolControl.userControl(.streamBegin(streamID: streamID))),
                .reply(StatusMessages.onStatus(code: StatusCode.publishStart, description: "\(name) is now published."), streamID: streamID)]
    }

    /// The hub refused (another source has the name): `NetStream.Publish.BadName`, and the
    /// connection closed once it is out.
    mutating func publishRefused(description: String, streamID: UInt32) -> [Action] {
        publishPending = false
        return refusePublish(description: description, streamID: streamID)
    }

    private func refusePublish(description: String, streamID: UInt32) -> [Action] {
        [.reply(StatusMessages.onStatus(code: StatusCode.publishBadName, description: description, level: "error"), streamID: streamID),
         .closeAfterFlush]
    }

    /// The publish ended (unpublish, deleteStream, the connection going away).
    mutating func publishEnded() {
        publishing = nil
    }

    // MARK: Streams ending

    /// `deleteStream(id)` or `closeStream` on `id`: ends what runs on that stream.
    private mutating func ending(streamID id: UInt32) -> [Action] {
        var actions: [Action] = []
        if let publishing, publishing.streamID == id {
            self.publishing = nil
            actions.append(.stopPublishing(name: publishing.name))
        }
        if id == playStreamID { actions += stopPlaying() }
        return actions
    }

    mutating func stopPlaying() -> [Action] {
        playingLive = nil
        playingRecorded = false
        return [.stopPlaying]
    }

    // MARK: Children

    /// `FCAddChild([secret | {secret, app}])`: a downstream node registers (seed API). With a
    /// cluster secret configured, a wrong or missing secret is refused and the connection closed.
    private mutating func addChild(transactionID: Double, arguments: [AMF0Value], node: some RTMPSessionNode) -> [Action] {
        let secret = arguments.first?.stringValue ?? arguments.first?["secret"]?.stringValue
        guard node.acceptsClusterSecret(secret) else {
            return [.refused(counter: "bad-cluster-secret", message: "refusing FCAddChild: wrong cluster secret"),
                    .reply(StatusMessages.error(transactionID: transactionID, code: "NetConnection.Call.Failed",
                                                description: "FCAddChild refused: wrong cluster secret"), streamID: 0),
                    .closeAfterFlush]
        }
        registeredChild = true
        return [.cancelIdleTimeout,
                .reply(StatusMessages.result(transactionID: transactionID), streamID: 0),
                .registerChild(app: arguments.first?["app"]?.stringValue)]
    }
}
