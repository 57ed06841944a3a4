import RTMP
import Testing
@testable import DataPlane

/// The session machine, command by command (no sockets).
@Suite struct RTMPSessionTests {
    static func command(_ message: CommandMessage) throws -> RTMPCommand { try RTMPCommand(decoding: message) }
    static func connect(app: String = "livestreamcast_origin") throws -> RTMPCommand {
        try command(ClientRequests.connect(app: app, tcUrl: "rtmp://127.0.0.1/\(app)"))
    }
    static func session() -> RTMPSession { RTMPSession(app: "livestreamcast_origin", outgoingChunkSize: 4096) }

    @Test func connectAnnouncesWindowBandwidthAndChunkSizeThenSucceeds() throws {
        var session = Self.session()
        let actions = session.received(try Self.connect(), streamID: 0)
        #expect(actions.count == 4)
        #expect(actions[2] == .sendControl(ProtocolControl.setChunkSize(4096)))
        guard case .reply(let reply, 0) = actions[3] else { Issue.record("no reply: \(actions)"); return }
        #expect(reply.name == "_result")
        #expect(session.connected)
        #expect(session.received(try Self.connect(), streamID: 0).isEmpty, "a second connect is ignored")
    }

    @Test func aConnectToAnotherAppIsRefusedAndClosed() throws {
        var session = Self.session()
        let actions = session.received(try Self.connect(app: "other"), streamID: 0)
        #expect(actions.last == .closeAfterFlush)
        guard case .reply(let reply, _) = actions.first else { Issue.record("no reply"); return }
        #expect(reply.name == "_error")
        #expect(!session.connected)
    }

    @Test func anyCommandBeforeConnectClosesTheConnection() {
        var session = Self.session()
        #expect(session.received(.createStream(transactionID: 2), streamID: 0)
            == [.close(reason: "command before connect", counter: "protocol-error")])
    }

    @Test func streamIdsCountUpAndPublishWaitsForTheHub() throws {
        var session = Self.session()
        _ = session.received(try Self.connect(), streamID: 0)
        #expect(session.received(.createStream(transactionID: 2), streamID: 0)
            == [.reply(StatusMessages.result(transactionID: 2, .number(1)), streamID: 0)])
        #expect(session.received(.createStream(transactionID: 3), streamID: 0)
            == [.reply(StatusMessages.result(transactionID: 3, .number(2)), streamID: 0)])
        #expect(session.received(.publish(transactionID: 4, name: "live?key=k", type: "live"), streamID: 1)
            == [.requestPublish(name: "live", raw: "live?key=k", streamID: 1)])
        #expect(session.received(.publish(transactionID: 5, name: "live", type: "live"), streamID: 1).isEmpty,
                "one publish at a time")
        let started = session.publishStarted(name: "live", streamID: 1)
        #expect(started.first == .sendControl(ProtocolControl.userControl(.streamBegin(streamID: 1))))
        #expect(session.publishing?.name == "live")
        // deleteStream of another id leaves the publish alone; of its own id, ends it.
        #expect(session.received(.deleteStream(transactionID: 6, streamID: 2), streamID: 0) == [])
        #expect(session.received(.deleteStream(transactionID: 7, streamID: 1), streamID: 0).contains(.stopPublishing))
        #expect(session.publishing == nil)
    }

    @Test func aRefusedPublishLeavesTheNameFreeAndCloses() throws {
        var session = Self.session()
        _ = session.received(try Self.connect(), streamID: 0)
        _ = session.received(.publish(transactionID: 4, name: "live", type: "live"), streamID: 1)
        let refused = session.publishRefused(description: "live: missing or wrong publish key", streamID: 1)
        #expect(refused.last == .closeAfterFlush)
        #expect(session.publishing == nil)
    }

    @Test func aBadStreamNameIsRefusedWithBadName() throws {
        var session = Self.session()
        _ = session.received(try Self.connect(), streamID: 0)
        let actions = session.received(.publish(transactionID: 4, name: "../etc", type: "live"), streamID: 1)
        #expect(actions.last == .closeAfterFlush)
        guard case .reply(let reply, 1) = actions.first else { Issue.record("no reply"); return }
        #expect(reply.arguments.first?["code"]?.stringValue == StatusCode.publishBadName)
    }

    @Test func unknownCallsWithATransactionGetAnError() throws {
        var session = Self.session()
        _ = session.received(try Self.connect(), streamID: 0)
        let call = CommandMessage(name: "nope", transactionID: 9, commandObject: .null)
        guard case .reply(let reply, 0) = session.received(.other(call), streamID: 0).first else { Issue.record("no reply"); return }
        #expect(reply.name == "_error")
        #expect(session.received(.other(CommandMessage(name: "nope", transactionID: 0, commandObject: .null)), streamID: 0).isEmpty)
    }
}
