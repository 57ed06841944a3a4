import HighlightExport
import PlayAuthorization
import RTMP
import Testing
@testable import DataPlane

/// What a session is told of its node, set per test.
struct FakeSessionNode: RTMPSessionNode {
    var pullsFromUpstream = false
    var signsPlays = false
    var requiresClusterSecret = false
    var published: Set<String> = []
    var publishKey: String?
    /// The token every signed play must carry (as `?token=`), when `signsPlays`.
    var playToken = "good"
    var clusterSecret = "s3cret"

    func isPublished(_ name: String) -> Bool { published.contains(name) }
    func mayPublish(stream: String, key: String?) -> Bool { publishKey == nil || key == publishKey }
    func playVerdict(stream: String, raw: String) -> PlayTokenSigner.Verdict {
        guard let query = raw.split(separator: "?", maxSplits: 1).dropFirst().first else { return .missing }
        return query == "token=\(playToken)" ? .valid : .forged
    }
    func acceptsClusterSecret(_ secret: String?) -> Bool { !requiresClusterSecret || secret == clusterSecret }
}

/// The session machine, command by command (no sockets, no node).
@Suite struct RTMPSessionTests {
    static let app = "livestreamcast_origin"
    static func command(_ message: CommandMessage) throws -> RTMPCommand { try RTMPCommand(decoding: message) }
    static func connect(app: String = app, secret: String? = nil) throws -> RTMPCommand {
        try command(ClientRequests.connect(app: app, tcUrl: "rtmp://127.0.0.1/\(app)", clusterSecret: secret))
    }
    static func session() -> RTMPSession { RTMPSession(app: app, outgoingChunkSize: 4096) }
    /// A session past `connect` on `node`.
    static func connected(_ node: FakeSessionNode = .init(), secret: String? = nil) throws -> RTMPSession {
        var session = Self.session()
        _ = session.received(try connect(secret: secret), streamID: 0, node: node)
        return session
    }
    /// The `code` of every status reply in `actions`, in order.
    static func codes(_ actions: [RTMPSession.Action]) -> [String] {
        actions.compactMap { action in
            guard case .reply(let reply, _) = action else { return nil }
            return reply.arguments.first?["code"]?.stringValue
        }
    }
    static func reply(_ actions: [RTMPSession.Action]) -> CommandMessage? {
        actions.lazy.compactMap { action -> CommandMessage? in
            guard case .reply(let reply, _) = action else { return nil }
            return reply
        }.first
    }

    // MARK: Connect

    @Test func connectAnnouncesWindowBandwidthAndChunkSizeThenSucceeds() throws {
        var session = Self.session()
        let actions = session.received(try Self.connect(), streamID: 0, node: FakeSessionNode())
        #expect(actions.count == 4)
        #expect(actions[2] == .sendControl(ProtocolControl.setChunkSize(4096)))
        #expect(Self.reply(actions)?.name == "_result")
        #expect(session.connected)
        #expect(session.received(try Self.connect(), streamID: 0, node: FakeSessionNode()).isEmpty, "a second connect is ignored")
    }

    @Test func aConnectToAnotherAppIsRefusedAndClosed() throws {
        var session = Self.session()
        let actions = session.received(try Self.connect(app: "other"), streamID: 0, node: FakeSessionNode())
        #expect(actions.last == .closeAfterFlush)
        #expect(Self.reply(actions)?.name == "_error")
        #expect(!session.connected)
    }

    @Test func anyCommandBeforeConnectClosesTheConnection() {
        var session = Self.session()
        #expect(session.received(.createStream(transactionID: 2), streamID: 0, node: FakeSessionNode())
            == [.close(reason: "command before connect", counter: "protocol-error")])
        #expect(session.received(.play(transactionID: 0, name: "live", start: nil), streamID: 1, node: FakeSessionNode())
            == [.close(reason: "command before connect", counter: "protocol-error")])
    }

    @Test func unknownCallsWithATransactionGetAnErrorAndChecksGetAResult() throws {
        var session = try Self.connected()
        let node = FakeSessionNode()
        let call = CommandMessage(name: "nope", transactionID: 9, commandObject: .null)
        #expect(Self.reply(session.received(.other(call), streamID: 0, node: node))?.name == "_error")
        #expect(session.received(.other(CommandMessage(name: "nope", transactionID: 0, commandObject: .null)), streamID: 0, node: node).isEmpty)
        let check = CommandMessage(name: "_checkbw", transactionID: 3, commandObject: .null)
        #expect(Self.reply(session.received(.other(check), streamID: 0, node: node))?.name == "_result")
    }

    // MARK: Publish

    @Test func streamIdsCountUpAndPublishWaitsForTheHub() throws {
        var session = try Self.connected()
        let node = FakeSessionNode()
        #expect(session.received(.createStream(transactionID: 2), streamID: 0, node: node)
            == [.reply(StatusMessages.result(transactionID: 2, .number(1)), streamID: 0)])
        #expect(session.received(.createStream(transactionID: 3), streamID: 0, node: node)
            == [.reply(StatusMessages.result(transactionID: 3, .number(2)), streamID: 0)])
        #expect(session.received(.publish(transactionID: 4, name: "live?key=k", type: "live"), streamID: 1, node: node)
            == [.requestPublish(name: "live", streamID: 1)])
        #expect(session.received(.publish(transactionID: 5, name: "live", type: "live"), streamID: 1, node: node).isEmpty,
                "one publish at a time")
        let started = session.publishStarted(name: "live", streamID: 1)
        #expect(started.contains(.sendControl(ProtocolControl.userControl(.streamBegin(streamID: 1)))))
        #expect(started.contains(.cancelIdleTimeout))
        #expect(Self.codes(started) == [StatusCode.publishStart])
        #expect(session.publishing?.name == "live")
        // deleteStream of another id leaves the publish alone; of its own id, ends it.
        #expect(!session.received(.deleteStream(transactionID: 6, streamID: 2), streamID: 0, node: node).contains(.stopPublishing(name: "live")))
        #expect(session.received(.deleteStream(transactionID: 7, streamID: 1), streamID: 0, node: node).contains(.stopPublishing(name: "live")))
        #expect(session.publishing == nil)
    }

    @Test func aWrongPublishKeyIsRefusedCountedAndClosedWithoutAskingTheHub() throws {
        let node = FakeSessionNode(publishKey: "k")
        var session = try Self.connected(node)
        let actions = session.received(.publish(transactionID: 4, name: "live?key=wrong", type: "live"), streamID: 1, node: node)
        #expect(actions.first == .refused(counter: "bad-publish-key", message: "refusing publish: missing or wrong publish key", stream: "live"))
        #expect(Self.codes(actions) == [StatusCode.publishBadName])
        #expect(actions.last == .closeAfterFlush)
        #expect(!actions.contains { if case .requestPublish = $0 { true } else { false } })
        var keyed = try Self.connected(node)
        #expect(keyed.received(.publish(transactionID: 4, name: "live?key=k", type: "live"), streamID: 1, node: node)
            == [.requestPublish(name: "live", streamID: 1)])
    }

    @Test func aPublishTheHubRefusesLeavesTheNameFreeAndCloses() throws {
        var session = try Self.connected()
        _ = session.received(.publish(transactionID: 4, name: "live", type: "live"), streamID: 1, node: FakeSessionNode())
        let refused = session.publishRefused(description: "live is already being published", streamID: 1)
        #expect(refused.last == .closeAfterFlush)
        #expect(session.publishing == nil)
    }

    @Test func aBadStreamNameIsRefusedWithBadName() throws {
        var session = try Self.connected()
        let actions = session.received(.publish(transactionID: 4, name: "../etc", type: "live"), streamID: 1, node: FakeSessionNode())
        #expect(actions.last == .closeAfterFlush)
        #expect(Self.codes(actions) == [StatusCode.publishBadName])
    }

    @Test func fcPublishSaysWhetherTheNameIsFreeAndFcUnpublishEndsThePublish() throws {
        let node = FakeSessionNode(published: ["taken"])
        var session = try Self.connected(node)
        #expect(Self.codes(session.received(.fcPublish(transactionID: 2, name: "free"), streamID: 0, node: node)) == [StatusCode.publishStart])
        #expect(Self.codes(session.received(.fcPublish(transactionID: 2, name: "taken"), streamID: 0, node: node)) == [StatusCode.publishBadName])
        #expect(Self.codes(session.received(.fcPublish(transactionID: 2, name: "a/../b"), streamID: 0, node: node)) == [StatusCode.publishBadName])
        _ = session.received(.publish(transactionID: 4, name: "free", type: "live"), streamID: 1, node: node)
        _ = session.publishStarted(name: "free", streamID: 1)
        #expect(!session.received(.fcUnpublish(transactionID: 5, name: "other"), streamID: 0, node: node).contains(.stopPublishing(name: "free")))
        let ended = session.received(.fcUnpublish(transactionID: 5, name: "free"), streamID: 0, node: node)
        #expect(Self.codes(ended) == [StatusCode.unpublishSuccess])
        #expect(ended.last == .stopPublishing(name: "free"))
        #expect(session.publishing == nil)
    }

    // MARK: Play

    @Test func playingAPublishedStreamResetsStartsAndJoins() throws {
        let node = FakeSessionNode(published: ["live"])
        var session = try Self.connected(node)
        let actions = session.received(.play(transactionID: 0, name: "live", start: -2), streamID: 3, node: node)
        #expect(actions.first == .cancelIdleTimeout)
        #expect(actions.contains(.sendControl(ProtocolControl.userControl(.streamBegin(streamID: 3)))))
        #expect(Self.codes(actions) == [StatusCode.playReset, StatusCode.playStart])
        #expect(actions.last == .joinLive(name: "live", streamID: 3))
        #expect(!actions.contains(.demand(name: "live")))
        #expect(session.playingLive == "live")
        #expect(session.playStreamID == 3)
    }

    @Test func anOriginKeepsAPlayerOfAnUnpublishedStreamAttachedAndAnEdgePullsIt() throws {
        let origin = FakeSessionNode()
        var atOrigin = try Self.connected(origin)
        let waiting = atOrigin.received(.play(transactionID: 0, name: "later", start: nil), streamID: 1, node: origin)
        #expect(Self.codes(waiting) == [StatusCode.playStreamNotFound])
        #expect(waiting.last == .joinLive(name: "later", streamID: 1))

        let edge = FakeSessionNode(pullsFromUpstream: true)
        var atEdge = try Self.connected(edge)
        let pulling = atEdge.received(.play(transactionID: 0, name: "later", start: nil), streamID: 1, node: edge)
        #expect(Self.codes(pulling) == [StatusCode.playReset, StatusCode.playStart])
        #expect(pulling.contains(.demand(name: "later")))
        #expect(pulling.last == .joinLive(name: "later", streamID: 1))
    }

    @Test func aPlayWithoutAValidTokenIsRefusedCountedAndClosed() throws {
        let node = FakeSessionNode(signsPlays: true, published: ["live"])
        var session = try Self.connected(node)
        let refused = session.received(.play(transactionID: 0, name: "live?token=bad", start: nil), streamID: 1, node: node)
        #expect(refused.contains(.refused(counter: "bad-play-token", message: "refusing play: \(PlayTokenSigner.Verdict.forged)", stream: "live")))
        #expect(Self.codes(refused) == [StatusCode.playFailed])
        #expect(refused.last == .closeAfterFlush)
        #expect(session.playingLive == nil)
        var signed = try Self.connected(node)
        #expect(signed.received(.play(transactionID: 0, name: "live?token=good", start: nil), streamID: 1, node: node).last
            == .joinLive(name: "live", streamID: 1))
    }

    @Test func aChildThatPresentedTheClusterSecretPlaysWithoutAToken() throws {
        let node = FakeSessionNode(signsPlays: true, requiresClusterSecret: true, published: ["live"])
        var child = try Self.connected(node, secret: "s3cret")
        #expect(child.registeredChild)
        #expect(child.received(.play(transactionID: 0, name: "live", start: nil), streamID: 1, node: node).last == .joinLive(name: "live", streamID: 1))
        var stranger = try Self.connected(node, secret: "guess")
        #expect(!stranger.registeredChild)
        #expect(stranger.received(.play(transactionID: 0, name: "live", start: nil), streamID: 1, node: node).last == .closeAfterFlush)
    }

    @Test func aVODNamePlaysTheRecordedFileAndSeekAndPauseReachIt() throws {
        let node = FakeSessionNode()
        var session = try Self.connected(node)
        #expect(session.received(.seek(transactionID: 0, milliseconds: 10), streamID: 1, node: node).isEmpty, "nothing recorded is playing")
        let actions = session.received(.play(transactionID: 0, name: "mp4:exports/goal.f4v", start: 1_000, length: 5_000), streamID: 1, node: node)
        let name = try #require(try VODName("mp4:exports/goal.f4v"))
        #expect(actions == [.cancelIdleTimeout, .stopPlaying,
                            .playRecorded(name, raw: "mp4:exports/goal.f4v", start: 1_000, length: 5_000, streamID: 1)])
        #expect(session.received(.seek(transactionID: 0, milliseconds: 10), streamID: 1, node: node) == [.seekRecorded(milliseconds: 10)])
        #expect(session.received(.pause(transactionID: 0, paused: true, milliseconds: 10), streamID: 1, node: node)
            == [.pauseRecorded(true, milliseconds: 10)])
    }

    @Test func aVODNameThatLeavesTheMediaRootIsNotFound() throws {
        var session = try Self.connected()
        let actions = session.received(.play(transactionID: 0, name: "mp4:../../etc/passwd", start: nil), streamID: 1, node: FakeSessionNode())
        #expect(Self.codes(actions) == [StatusCode.playStreamNotFound])
        #expect(!actions.contains { if case .playRecorded = $0 { true } else { false } })
    }

    @Test func deleteStreamAndUnsubscribeStopThePlay() throws {
        let node = FakeSessionNode(published: ["live"])
        var session = try Self.connected(node)
        _ = session.received(.play(transactionID: 0, name: "live", start: nil), streamID: 2, node: node)
        #expect(!session.received(.deleteStream(transactionID: 3, streamID: 1), streamID: 0, node: node).contains(.stopPlaying))
        #expect(session.received(.deleteStream(transactionID: 3, streamID: 2), streamID: 0, node: node) == [.stopPlaying])
        #expect(session.playingLive == nil)

        _ = session.received(.play(transactionID: 0, name: "live", start: nil), streamID: 2, node: node)
        let unsubscribed = session.received(.unsubscribe(transactionID: 4, name: "live"), streamID: 0, node: node)
        #expect(unsubscribed.contains(.stopPlaying))
        #expect(Self.codes(unsubscribed) == [StatusCode.playStop, StatusCode.playStop])
    }

    @Test func aSubscribeOnAnEdgeMakesItPullWhenTheTokenAllows() throws {
        let edge = FakeSessionNode(pullsFromUpstream: true, signsPlays: true)
        var session = try Self.connected(edge)
        let signed = session.received(.subscribe(transactionID: 2, name: "live?token=good", spelling: .fcSubscribe), streamID: 0, node: edge)
        #expect(signed.first == .demand(name: "live"))
        #expect(Self.reply(signed)?.name == "onFCSubscribe")
        let unsigned = session.received(.subscribe(transactionID: 2, name: "live", spelling: .fmSubscribe), streamID: 0, node: edge)
        #expect(!unsigned.contains(.demand(name: "live")))
        #expect(Self.reply(unsigned)?.name == "onFMSubscribe")
        let origin = FakeSessionNode()
        var atOrigin = try Self.connected(origin)
        #expect(Self.codes(atOrigin.received(.subscribe(transactionID: 2, name: "live", spelling: .fcSubscribe), streamID: 0, node: origin))
            == [StatusCode.playStreamNotFound])
    }

    @Test func getStreamLengthIsZeroForLiveNamesAndReadForRecordedOnes() throws {
        var session = try Self.connected()
        let live = CommandMessage(name: "getStreamLength", transactionID: 5, commandObject: .null, arguments: ["live"])
        #expect(session.received(.other(live), streamID: 0, node: FakeSessionNode())
            == [.reply(StatusMessages.result(transactionID: 5, .number(0)), streamID: 0)])
        let recorded = CommandMessage(name: "getStreamLength", transactionID: 6, commandObject: .null, arguments: ["mp4:dvr/live"])
        let name = try #require(try VODName("mp4:dvr/live"))
        #expect(session.received(.other(recorded), streamID: 0, node: FakeSessionNode()) == [.replyRecordedLength(name, transactionID: 6)])
    }

    // MARK: Children

    @Test func fcAddChildRegistersWithTheRightSecretAndIsRefusedWithAWrongOne() throws {
        let node = FakeSessionNode(requiresClusterSecret: true)
        var child = try Self.connected(node)
        let registered = child.received(.fcAddChild(transactionID: 3, arguments: [.object([AMF0Property("secret", "s3cret"), AMF0Property("app", "edge")])]), streamID: 0, node: node)
        #expect(registered == [.cancelIdleTimeout, .reply(StatusMessages.result(transactionID: 3), streamID: 0), .registerChild(app: "edge")])
        #expect(child.registeredChild)
        var stranger = try Self.connected(node)
        let refused = stranger.received(.fcAddChild(transactionID: 3, arguments: ["guess"]), streamID: 0, node: node)
        #expect(refused.first == .refused(counter: "bad-cluster-secret", message: "refusing FCAddChild: wrong cluster secret"))
        #expect(Self.reply(refused)?.name == "_error")
        #expect(refused.last == .closeAfterFlush)
        #expect(!stranger.registeredChild)
    }
}
