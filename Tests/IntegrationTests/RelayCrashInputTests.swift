import Foundation
import NIOCore
import RTMP
import Testing

/// Each remote crash of issue 9, sent to a live relay by one connection while a real ffmpeg
/// player keeps playing: the relay survives, the hostile connection is dropped or its metadata
/// ignored, and the player is unaffected.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct RelayCrashInputTests {
    /// A connected raw peer: handshake, then `connect` to `app`.
    static func connectedPeer(port: Int, app: String = "livestreamcast_origin") throws -> RawSocket {
        let peer = try RawSocket(port: port)
        guard peer.handshake() else { throw ToolError.missing("handshake with the relay") }
        peer.send(chunks(ClientRequests.connect(app: app, tcUrl: "rtmp://127.0.0.1:\(port)/\(app)").message()))
        return peer
    }

    static func chunks(_ message: RTMPMessage, csid: UInt32 = 3) -> [UInt8] {
        var buffer = ChunkEncoder.encode(message, chunkStreamID: csid, chunkSize: 128)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    static func command(_ name: String, _ arguments: [AMF0Value], streamID: UInt32 = 0) -> [UInt8] {
        chunks(CommandMessage(name: name, transactionID: 0, arguments: arguments).message(streamID: streamID))
    }

    static func metadata(_ properties: [AMF0Property]) -> [UInt8] {
        let data = DataMessage(values: ["@setDataFrame", "onMetaData", .ecmaArray(properties)])
        return chunks(RTMPMessage(typeID: 18, streamID: 1, timestamp: 0, payload: data.payload), csid: 4)
    }

    /// An FLV AVC sequence header whose SPS scaling list has delta_scale 2^31 − 1.
    static func overflowingSequenceHeader() -> [UInt8] {
        let sps: [UInt8] = [0x67, 0x64, 0x00, 0x28, 0xad, 0x80, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff]
        let pps: [UInt8] = [0x68, 0xee, 0x3c, 0x80]
        var record: [UInt8] = [1, 0x64, 0x00, 0x28, 0xFF, 0xE1, 0, UInt8(sps.count)] + sps
        record += [1, 0, UInt8(pps.count)] + pps
        let body: [UInt8] = [0x17, 0, 0, 0, 0] + record
        return chunks(RTMPMessage(typeID: 9, streamID: 1, timestamp: 0, payload: ByteBuffer(bytes: body)), csid: 6)
    }

    @Test func crashInputsLeaveTheRelayAndItsPlayersAlone() throws {
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--log-level", "debug"])
        defer { relay.stop() }
        let url = RelayFixtures.url(port: port)
        let publisher = try RelayFixtures.startPublisher(url: url, seconds: 30)
        defer { publisher.stop() }
        try RelayFixtures.waitForStream(url: url)
        let dir = TestDirectory.make("crash-inputs")
        let capture = dir.appendingPathComponent("player.flv").path
        let player = try TestProcess("ffmpeg", ["-v", "error", "-i", url, "-t", "10", "-c", "copy", "-f", "flv", capture], name: "steady-player")
        defer { player.stop() }

        // Commands whose numbers trapped a conversion: the one connection is closed.
        let droppedInputs: [(String, [UInt8])] = [
            ("deleteStream 2^32", Self.command("deleteStream", [.number(4_294_967_296)])),
            ("deleteStream inf", Self.command("deleteStream", [.number(.infinity)])),
            ("deleteStream NaN", Self.command("deleteStream", [.number(.nan)])),
            ("createStream transaction id NaN", Self.chunks(CommandMessage(name: "createStream", transactionID: .nan).message())),
        ]
        for (label, bytes) in droppedInputs {
            let peer = try Self.connectedPeer(port: port)
            peer.send(bytes)
            #expect(peer.waitForClose(timeout: 5), "\(label): connection was not dropped")
            #expect(relay.isRunning, "\(label) crashed the relay")
        }

        // A player's times are clamped (NaN: absent): the connection goes on.
        let toleratedInputs: [(String, [UInt8])] = [
            ("play start NaN", Self.command("play", ["livestream", .number(.nan), .number(.infinity)], streamID: 1)),
            ("seek -inf", Self.command("seek", [.number(-.infinity)], streamID: 1)),
            ("pause 1e300", Self.command("pause", [true, .number(1e300)], streamID: 1)),
        ]
        for (label, bytes) in toleratedInputs {
            let peer = try Self.connectedPeer(port: port)
            peer.send(bytes)
            #expect(!peer.waitForClose(timeout: 1), "\(label): connection was dropped")
            #expect(relay.isRunning, "\(label) crashed the relay")
        }

        // Metadata and sequence headers from a publisher: ignored where unusable, never a trap.
        let publishedInputs: [(String, [UInt8])] = [
            ("onMetaData width NaN", Self.metadata([AMF0Property("width", .number(.nan)), AMF0Property("height", 720)])),
            ("onMetaData 1e300", Self.metadata([AMF0Property("width", 1e300), AMF0Property("height", .number(-.infinity)),
                                                AMF0Property("framerate", .number(.infinity)),
                                                AMF0Property("audiosamplerate", 1e300)])),
            ("onMetaData audiosamplerate NaN", Self.metadata([AMF0Property("audiosamplerate", .number(.nan))])),
            ("SPS scaling list overflow", Self.overflowingSequenceHeader()),
        ]
        for (index, (label, bytes)) in publishedInputs.enumerated() {
            let peer = try Self.connectedPeer(port: port)
            peer.send(Self.command("publish", [.string("hostile\(index)"), "live"], streamID: 1))
            peer.send(bytes)
            try waitUntil("\(label) published", timeout: 5) { relay.output.contains("hostile\(index)") }
            // The frames went through the hub (and its media-info tracker) before the relay
            // answers the next connect on the same event loops.
            let next = try Self.connectedPeer(port: port)
            #expect(next.read(1, timeout: 5) != nil, "\(label): the relay stopped answering")
            #expect(relay.isRunning, "\(label) crashed the relay")
        }

        #expect(player.waitForExit(timeout: 40))
        #expect(player.process.terminationStatus == 0, "player failed: \(player.output)")
        let video = try RelayFixtures.packets(of: capture, stream: "v")
        #expect((video.last?.dts ?? 0) - (video.first?.dts ?? 0) >= 9, "player did not get 10 s of media")
        #expect(relay.isRunning)
        let log = relay.output
        #expect(log.contains("deleteStream: invalid stream id 4294967296"))
        #expect(log.contains("createStream: invalid transaction id nan"))
        // The relay still answers a prober after all of it.
        try RelayFixtures.waitForStream(url: url)
    }
}
