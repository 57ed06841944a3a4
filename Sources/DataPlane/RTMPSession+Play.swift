import HighlightExport
import PlayAuthorization
import RTMP

/// Play, subscribe and `getStreamLength`: which name is a recorded file and which a live stream,
/// who may play it, and what a player is told.
extension RTMPSession {
    /// `play(name, start, length)`: a recorded file when the name (joined with the connect's app
    /// instance) is a VOD name, the live stream otherwise.
    mutating func play(_ raw: String, start: Double?, length: Double?, streamID: UInt32, node: some RTMPSessionNode) -> [Action] {
        var actions: [Action] = [.cancelIdleTimeout]
        let recordedName = VODName.joining(app: connectedApp, play: raw)
        let recorded: VODName?
        do {
            recorded = try VODName(recordedName)
        } catch {
            actions += stopPlaying()
            actions.append(.reply(StatusMessages.onStatus(code: StatusCode.playStreamNotFound, description: "\(recordedName): \(error)",
                                                          level: "error"), streamID: streamID))
            return actions
        }
        if let recorded {
            // Under a play secret the token signs the VOD name as a URL names it (librtmp's split
            // app/play joined again), without its query.
            if let refusal = refusePlay(String(recordedName.prefix { $0 != "?" }), raw: recordedName, streamID: streamID, node: node) {
                return actions + refusal
            }
            actions += stopPlaying()
            playStreamID = streamID
            playingRecorded = true
            actions.append(.playRecorded(recorded, raw: recordedName, start: start, length: length, streamID: streamID))
            return actions
        }
        actions += stopPlaying()
        let name: String
        do {
            name = try StreamName.normalize(raw)
        } catch {
            actions.append(.reply(StatusMessages.onStatus(code: StatusCode.playStreamNotFound, description: "\(raw): \(error)", level: "error"),
                                  streamID: streamID))
            return actions
        }
        if let refusal = refusePlay(name, raw: raw, streamID: streamID, node: node) { return actions + refusal }
        playStreamID = streamID
        playingLive = name
        actions.append(.sendControl(ProtocolControl.userControl(.streamBegin(streamID: streamID))))
        let published = node.isPublished(name)
        if published || node.pullsFromUpstream {
            let sampleAccess = DataMessage(values: ["|RtmpSampleAccess", true, true])
            actions += [.reply(StatusMessages.onStatus(code: StatusCode.playReset, description: "Playing and resetting \(name)."), streamID: streamID),
                        .reply(StatusMessages.onStatus(code: StatusCode.playStart, description: "Started playing \(name)."), streamID: streamID),
                        .sendData(RTMPMessage(typeID: 18, streamID: streamID, timestamp: 0, payload: sampleAccess.payload))]
            if !published { actions.append(.demand(name: name)) }
        } else {
            // Stays attached: PublishNotify and media follow when a publisher arrives.
            actions.append(.reply(StatusMessages.onStatus(code: StatusCode.playStreamNotFound, description: "\(name) is not published.",
                                                          level: "error"), streamID: streamID))
        }
        actions.append(.joinLive(name: name, streamID: streamID))
        return actions
    }

    /// `FCSubscribe` / `FMSubscribe` (CDN style): on an edge or intermediate a
    /// subscribe to a stream not published here makes the node pull it, if the play token allows.
    mutating func subscribe(_ raw: String, spelling: SubscribeSpelling, node: some RTMPSessionNode) -> [Action] {
        let name = try? StreamName.normalize(raw)
        let found = name.map { node.isPublished($0) || node.pullsFromUpstream } ?? false
        var actions: [Action] = []
        if found, let name, node.pullsFromUpstream, !node.isPublished(name), playVerdict(name, raw: raw, node: node) == .valid {
            actions.append(.demand(name: name))
        }
        actions.append(.reply(StatusMessages.callback(spelling.callbackName, code: found ? StatusCode.playStart : StatusCode.playStreamNotFound,
                                                      description: raw, level: found ? "status" : "error"), streamID: 0))
        return actions
    }

    /// `getStreamLength(name)` (FMS; Flash players ask before a VOD play): the recorded duration
    /// in seconds, 0 for live or unknown names.
    func streamLength(_ call: CommandMessage) -> [Action] {
        guard let raw = call.firstStringArgument, let name = try? VODName(VODName.joining(app: connectedApp, play: raw)) else {
            return [.reply(StatusMessages.result(transactionID: call.transactionID, .number(0)), streamID: 0)]
        }
        return [.replyRecordedLength(name, transactionID: call.transactionID)]
    }

    /// `.valid` when no play secret is set, for a child that presented the cluster secret, or for
    /// a valid token in `raw`'s query; otherwise why not.
    private func playVerdict(_ name: String, raw: String, node: some RTMPSessionNode) -> PlayTokenSigner.Verdict {
        guard node.signsPlays else { return .valid }
        if registeredChild, node.requiresClusterSecret { return .valid }
        return node.playVerdict(stream: name, raw: raw)
    }

    /// With a play secret, a play needs a valid signed token in the name's query; child nodes
    /// that registered with the cluster secret pull without one. A refused play gets
    /// `NetStream.Play.Failed`, is logged and counted, and the connection is closed.
    private func refusePlay(_ name: String, raw: String, streamID: UInt32, node: some RTMPSessionNode) -> [Action]? {
        let verdict = playVerdict(name, raw: raw, node: node)
        guard verdict != .valid else { return nil }
        return [.refused(counter: "bad-play-token", message: "refusing play: \(verdict)", stream: name),
                .reply(StatusMessages.onStatus(code: StatusCode.playFailed, description: "\(name): \(verdict)", level: "error"), streamID: streamID),
                .closeAfterFlush]
    }
}
