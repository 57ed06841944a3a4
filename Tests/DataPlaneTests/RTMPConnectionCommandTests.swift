import FLV
import NIOCore
import NIOEmbedded
import RTMP
import Testing
@testable import DataPlane

/// One RTMP peer of a relay node, over an `EmbeddedChannel` holding a real `RTMPConnection`:
/// commands go in as messages (the handshake and chunk layers are `RTMPChannelTests`' part), the
/// bytes the connection writes are decoded back into messages.
final class EmbeddedRTMPPeer {
    let channel: EmbeddedChannel
    private var decoder = ChunkDecoder()

    init(node: RelayNode, loop: EmbeddedEventLoop) throws {
        channel = EmbeddedChannel(handler: RTMPConnection(node: node, eventLoop: loop), loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40_000)).wait()
        channel.pipeline.fireUserInboundEventTriggered(RTMPHandshakeCompleted())
    }

    func send(_ command: CommandMessage, streamID: UInt32 = 0) throws {
        try channel.writeInbound(command.message(streamID: streamID))
    }

    func send(_ frame: MediaFrame, streamID: UInt32 = 1) throws {
        try channel.writeInbound(RTMPMessage(typeID: frame.kind == .video ? 9 : 8, streamID: streamID, timestamp: frame.timestamp,
                                             payload: frame.payload))
    }

    /// Takes what the connection wrote into the decoder; returns how many writes that was.
    @discardableResult
    func takeWrites() throws -> Int {
        var writes = 0
        while let bytes = try channel.readOutbound(as: ByteBuffer.self) {
            decoder.append(bytes)
            writes += 1
        }
        return writes
    }

    /// Everything the connection wrote since the last call, as messages.
    func received() throws -> [RTMPMessage] {
        try takeWrites()
        var messages: [RTMPMessage] = []
        while let message = try decoder.nextMessage() { messages.append(message) }
        return messages
    }

    /// The commands among `received()`: name, and the status code for `onStatus` and callbacks.
    func replies() throws -> [String] {
        try received().filter { $0.type == .commandAMF0 }.map { message in
            let command = try CommandMessage(message: message)
            return command.arguments.first?["code"]?.stringValue.map { "\(command.name) \($0)" } ?? command.name
        }
    }

    func connectAndCreateStream(app: String = "livestreamcast_origin") throws {
        try send(ClientRequests.connect(app: app, tcUrl: "rtmp://127.0.0.1/\(app)"))
        try send(CommandMessage(name: "createStream", transactionID: 2))
        _ = try received()
    }

    /// Connects, creates stream 1 and sends `command(name)` on it (`publish` or `play`).
    func connectAndSend(_ command: String, _ name: String = "live") throws {
        try connectAndCreateStream()
        try send(CommandMessage(name: command, transactionID: 0, arguments: [.string(name)]), streamID: 1)
    }
}

/// `RTMPConnection` carrying out its session's actions, command by command, on an embedded loop.
@Suite struct RTMPConnectionCommandTests {
    static func node(_ configuration: RelayConfiguration = RelayConfiguration(port: 0), loop: EmbeddedEventLoop) -> RelayNode {
        RelayNode(configuration: configuration, group: loop)
    }

    @Test func connectAnnouncesTheWindowBandwidthAndChunkSizeBeforeItsResult() throws {
        let loop = EmbeddedEventLoop()
        let peer = try EmbeddedRTMPPeer(node: Self.node(loop: loop), loop: loop)
        try peer.send(ClientRequests.connect(app: "livestreamcast_origin", tcUrl: "rtmp://127.0.0.1/livestreamcast_origin"))
        let messages = try peer.received()
        #expect(messages.map(\.type) == [.windowAcknowledgementSize, .setPeerBandwidth, .setChunkSize, .commandAMF0])
        try peer.send(CommandMessage(name: "createStream", transactionID: 2))
        let created = try CommandMessage(message: try #require(try peer.received().first))
        #expect(created.name == "_result" && created.arguments.first?.numberValue == 1)
        try loop.syncShutdownGracefully()
    }

    @Test func aPublisherReachesAPlayerThatJoinedBeforeIt() throws {
        let loop = EmbeddedEventLoop()
        let node = Self.node(loop: loop)
        let player = try EmbeddedRTMPPeer(node: node, loop: loop)
        try player.connectAndSend("play")
        #expect(try player.replies() == ["onStatus NetStream.Play.StreamNotFound"], "an origin keeps the player attached")

        let publisher = try EmbeddedRTMPPeer(node: node, loop: loop)
        try publisher.connectAndCreateStream()
        try publisher.send(CommandMessage(name: "publish", transactionID: 0, arguments: ["live", "live"]), streamID: 1)
        #expect(try publisher.replies() == ["onStatus NetStream.Publish.Start"])
        #expect(try player.replies() == ["onStatus NetStream.Play.PublishNotify"])

        try publisher.send(StreamHubTests.avcHeader)
        try publisher.send(StreamHubTests.key(0))
        try publisher.send(StreamHubTests.inter(40))
        let media = try player.received().filter { $0.type == .video }
        #expect(media.map(\.timestamp) == [0, 0, 40])
        #expect(media.allSatisfy { $0.streamID == 1 })
        try loop.syncShutdownGracefully()
    }

    @Test func aSecondPublisherOfANameIsRefusedAndClosedAndTheFirstKeepsIt() throws {
        let loop = EmbeddedEventLoop()
        let node = Self.node(loop: loop)
        let first = try EmbeddedRTMPPeer(node: node, loop: loop)
        try first.connectAndSend("publish")
        let second = try EmbeddedRTMPPeer(node: node, loop: loop)
        try second.connectAndSend("publish")
        #expect(try second.replies() == ["onStatus NetStream.Publish.BadName"])
        loop.advanceTime(by: .milliseconds(250))
        #expect(!second.channel.isActive, "closed once the refusal is out")
        #expect(node.hub.snapshots().first?.source?.clientId == node.clients.clients.first?.id)
        #expect(node.clients.counters.connectionsRefused["stream-busy"] == 1)
        try loop.syncShutdownGracefully()
    }

    @Test func aPlayerWhoDeletesItsStreamLeavesTheStream() throws {
        let loop = EmbeddedEventLoop()
        let node = Self.node(loop: loop)
        let publisher = try EmbeddedRTMPPeer(node: node, loop: loop)
        try publisher.connectAndSend("publish")
        let player = try EmbeddedRTMPPeer(node: node, loop: loop)
        try player.connectAndSend("play")
        #expect(try player.replies() == ["onStatus NetStream.Play.Reset", "onStatus NetStream.Play.Start"])
        #expect(node.hub.snapshots().first?.players == 1)
        try player.send(CommandMessage(name: "deleteStream", transactionID: 0, arguments: [1]))
        #expect(node.hub.snapshots().first?.players == 0)
        try publisher.send(StreamHubTests.key(0))
        #expect(try player.received().isEmpty, "no media after deleteStream")
        try loop.syncShutdownGracefully()
    }

    @Test func aCommandBeforeConnectClosesTheConnectionAndIsCounted() throws {
        let loop = EmbeddedEventLoop()
        let node = Self.node(loop: loop)
        let peer = try EmbeddedRTMPPeer(node: node, loop: loop)
        try peer.send(CommandMessage(name: "play", transactionID: 0, arguments: ["live"]), streamID: 1)
        #expect(!peer.channel.isActive)
        #expect(node.clients.counters.connectionsDropped["protocol-error"] == 1)
        try loop.syncShutdownGracefully()
    }

    @Test func aChildWithTheWrongSecretIsRefusedAndOneWithTheRightSecretIsListed() throws {
        let loop = EmbeddedEventLoop()
        let node = Self.node(RelayConfiguration(port: 0, clusterSecret: "s3cret"), loop: loop)
        let stranger = try EmbeddedRTMPPeer(node: node, loop: loop)
        try stranger.connectAndCreateStream()
        try stranger.send(CommandMessage(name: "FCAddChild", transactionID: 3, arguments: ["guess"]))
        #expect(try stranger.replies() == ["_error NetConnection.Call.Failed"])
        loop.advanceTime(by: .milliseconds(250))
        #expect(!stranger.channel.isActive)
        #expect(node.children.children.isEmpty)

        let child = try EmbeddedRTMPPeer(node: node, loop: loop)
        try child.connectAndCreateStream()
        try child.send(CommandMessage(name: "FCAddChild", transactionID: 3, arguments: ["s3cret"]))
        #expect(try child.replies() == ["_result"])
        #expect(node.children.children.count == 1)
        try loop.syncShutdownGracefully()
    }
}

extension RTMPConnectionCommandTests {
    @Test func aPublisherEndingWithFCUnpublishOrDeleteStreamFreesTheNameAndNotifiesPlayers() throws {
        let loop = EmbeddedEventLoop()
        let node = Self.node(loop: loop)
        let player = try EmbeddedRTMPPeer(node: node, loop: loop)
        try player.connectAndSend("play")
        _ = try player.received()
        for ending in [CommandMessage(name: "FCUnpublish", transactionID: 5, arguments: ["live"]),
                       CommandMessage(name: "deleteStream", transactionID: 6, arguments: [1])] {
            let publisher = try EmbeddedRTMPPeer(node: node, loop: loop)
            try publisher.connectAndSend("publish")
            try publisher.send(StreamHubTests.key(0))
            #expect(node.hub.isPublished("live"))
            try publisher.send(ending)
            #expect(!node.hub.isPublished("live"), "\(ending.name) freed the name")
            #expect(try player.replies() == ["onStatus NetStream.Play.PublishNotify", "onStatus NetStream.Play.UnpublishNotify"])
            #expect(publisher.channel.isActive, "the publisher's connection stays open")
        }
        try loop.syncShutdownGracefully()
    }
}

extension RTMPConnectionCommandTests {
    /// Merging is a performance property the live tests cannot see (every frame arrives either
    /// way): here, the writes themselves are counted.
    @Test func fromTheAudienceThresholdUpAPlayerGetsAWindowOfReadsInOneWrite() throws {
        let loop = EmbeddedEventLoop()
        var configuration = RelayConfiguration(port: 0)
        configuration.mergeWrite = .milliseconds(40)
        configuration.mergeWriteMinPlayers = 2
        let node = Self.node(configuration, loop: loop)
        let publisher = try EmbeddedRTMPPeer(node: node, loop: loop)
        try publisher.connectAndSend("publish")
        try publisher.send(StreamHubTests.key(0))
        let players = try (0..<2).map { _ in try EmbeddedRTMPPeer(node: node, loop: loop) }
        for player in players {
            try player.connectAndSend("play")
            _ = try player.received()
        }
        // The first batch after the players joined learns the audience and goes at once.
        try publisher.send(StreamHubTests.inter(40))
        for player in players { #expect(try player.received().map(\.timestamp) == [40]) }
        // From then on, reads wait for the window and leave in one write per player.
        for timestamp: UInt32 in [80, 120, 160] { try publisher.send(StreamHubTests.inter(timestamp)) }
        #expect(try players[0].takeWrites() == 0, "held for the window")
        loop.advanceTime(by: .milliseconds(40))
        for player in players {
            #expect(try player.takeWrites() == 1, "one write for the window")
            #expect(try player.received().map(\.timestamp) == [80, 120, 160])
        }
        try loop.syncShutdownGracefully()
    }
}
