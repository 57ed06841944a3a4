import NIOCore
import Testing
@testable import RTMP

@Suite struct CommandTests {
    @Test func decodesFFmpegPublishSequence() throws {
        let connect = CommandMessage(name: "connect", transactionID: 1,
                                     commandObject: .object(["app": "livestreamcast_origin", "type": "nonprivate",
                                                             "flashVer": "FMLE/3.0", "tcUrl": "rtmp://127.0.0.1/livestreamcast_origin"]))
        let decoded = try CommandMessage(message: connect.message())
        guard case .connect(let command) = RTMPCommand(decoded) else { Issue.record("not connect"); return }
        #expect(command.appName == "livestreamcast_origin")
        #expect(command.tcUrl == "rtmp://127.0.0.1/livestreamcast_origin")

        let calls: [(CommandMessage, RTMPCommand)] = [
            (CommandMessage(name: "releaseStream", transactionID: 2, arguments: ["live"]), .releaseStream(transactionID: 2, name: "live")),
            (CommandMessage(name: "FCPublish", transactionID: 3, arguments: ["live"]), .fcPublish(transactionID: 3, name: "live")),
            (CommandMessage(name: "createStream", transactionID: 4), .createStream(transactionID: 4)),
            (CommandMessage(name: "publish", transactionID: 5, arguments: ["live", "live"]), .publish(transactionID: 5, name: "live", type: "live")),
            (CommandMessage(name: "play", transactionID: 6, arguments: ["live", -1000]), .play(transactionID: 6, name: "live", start: -1000)),
            (CommandMessage(name: "FMSubscribe", transactionID: 7, arguments: ["live"]), .subscribe(transactionID: 7, name: "live", spelling: .fmSubscribe)),
            (CommandMessage(name: "FCSubscribe", transactionID: 7, arguments: ["live"]), .subscribe(transactionID: 7, name: "live", spelling: .fcSubscribe)),
            (CommandMessage(name: "FCUnsubscribe", transactionID: 8, arguments: ["live"]), .unsubscribe(transactionID: 8, name: "live")),
            (CommandMessage(name: "deleteStream", transactionID: 9, arguments: [1]), .deleteStream(transactionID: 9, streamID: 1)),
            (CommandMessage(name: "addStream", transactionID: 0, arguments: ["s"]), .addStream(name: "s")),
            (CommandMessage(name: "publish", transactionID: 5), .other(CommandMessage(name: "publish", transactionID: 5))),
        ]
        for (call, expected) in calls {
            #expect(RTMPCommand(try CommandMessage(message: call.message(streamID: 1))) == expected)
        }
    }

    @Test func acceptsAMF3WrappedCommands() throws {
        var payload = ByteBuffer(bytes: [0x00])
        var amf0 = CommandMessage(name: "play", transactionID: 0, arguments: ["mp4:live.f4v"]).message().payload
        payload.writeBuffer(&amf0)
        let message = RTMPMessage(typeID: 17, streamID: 1, timestamp: 0, payload: payload)
        #expect(RTMPCommand(try CommandMessage(message: message)) == .play(transactionID: 0, name: "mp4:live.f4v", start: nil))
    }

    @Test func setDataFrameIsUnwrapped() throws {
        let data = DataMessage(values: ["@setDataFrame", "onMetaData", .ecmaArray([AMF0Property("width", 1280)])])
        let message = RTMPMessage(typeID: 18, streamID: 1, timestamp: 0, payload: data.payload)
        let unwrapped = try DataMessage(message: message).unwrappingSetDataFrame
        #expect(unwrapped.values.first == "onMetaData")
        #expect(unwrapped.values[1]["width"] == 1280)
    }

    @Test(arguments: [
        ("mp4:livestream.f4v", "livestream"), ("livestream.f4v", "livestream"), ("livestream", "livestream"),
        ("livestream?token=abc", "livestream"), ("MP4:cam1.mp4?x", "cam1"), ("flv:show", "show"),
    ])
    func normalizesStreamNames(raw: String, expected: String) throws {
        #expect(try StreamName.normalize(raw) == expected)
    }

    @Test func refusesNamesThatCouldEscapeTheMediaRoot() {
        #expect(throws: StreamName.Error.pathTraversal) { try StreamName.normalize("..") }
        #expect(throws: StreamName.Error.invalidCharacter) { try StreamName.normalize("a/b") }
        #expect(throws: StreamName.Error.invalidCharacter) { try StreamName.normalize("a\u{0}b") }
        #expect(throws: StreamName.Error.empty) { try StreamName.normalize("mp4:") }
    }
}
