import Foundation
import NIOCore
import RTMP
import Testing

/// FCAddChild on a real relay: announcements to registered children, and the cluster secret.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct RelayChildRegistrationTests {
    /// Reads commands from a raw connection until `predicate` matches or `timeout` passes.
    static func readCommands(_ socket: RawSocket, decoder: inout ChunkDecoder, timeout: TimeInterval,
                             until predicate: ([CommandMessage]) -> Bool) -> [CommandMessage] {
        var seen: [CommandMessage] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, !predicate(seen) {
            if let bytes = socket.read(1, timeout: 0.2) { decoder.append(bytes: bytes) }
            while let message = try? decoder.nextMessage() {
                if message.typeID == 20, let command = try? CommandMessage(message: message) { seen.append(command) }
            }
        }
        return seen
    }

    static func register(port: Int, secret: String?) throws -> (RawSocket, ChunkDecoder) {
        let socket = try RawSocket(port: port)
        #expect(socket.handshake())
        let connect = CommandMessage(name: "connect", transactionID: 1, commandObject: .object(["app": "livestreamcast_origin"]))
        let addChild = CommandMessage(name: "FCAddChild", transactionID: 2, arguments: secret.map { [.object(["secret": .string($0), "app": "livestreamcast_edge"])] } ?? [])
        socket.send(RelaySlowPlayerTests.chunks(connect) + RelaySlowPlayerTests.chunks(addChild))
        return (socket, ChunkDecoder())
    }

    @Test func childReceivesAddStreamAndRemoveStream() throws {
        let (relay, port) = try RelayFixtures.startRelay()
        defer { relay.stop() }
        let url = RelayFixtures.url(port: port, stream: "early")
        let early = try RelayFixtures.startPublisher(url: url, seconds: 30, size: "160x120", name: "early")
        defer { early.stop() }
        try RelayFixtures.waitForStream(url: url)

        var (child, decoder) = try Self.register(port: port, secret: nil)
        var seen = Self.readCommands(child, decoder: &decoder, timeout: 10) { $0.contains { $0.name == "addStream" } }
        #expect(seen.contains { $0.name == "addStream" && $0.firstStringArgument == "early" })

        let late = try RelayFixtures.startPublisher(url: RelayFixtures.url(port: port, stream: "late"), seconds: 3, size: "160x120", name: "late")
        seen = Self.readCommands(child, decoder: &decoder, timeout: 20) { $0.contains { $0.name == "removeStream" } }
        _ = late.waitForExit(timeout: 20)
        #expect(seen.contains { $0.name == "addStream" && $0.firstStringArgument == "late" })
        #expect(seen.contains { $0.name == "removeStream" && $0.firstStringArgument == "late" })
    }

    @Test func wrongClusterSecretIsRefused() throws {
        let dir = TestDirectory.make("secret")
        let secretFile = dir.appendingPathComponent("cluster.secret")
        try "right-secret\n".write(to: secretFile, atomically: true, encoding: .utf8)
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--cluster-secret-file", secretFile.path])
        defer { relay.stop() }

        var (intruder, decoder) = try Self.register(port: port, secret: "wrong")
        let answers = Self.readCommands(intruder, decoder: &decoder, timeout: 5) { $0.contains { $0.name == "_error" } }
        #expect(answers.contains { $0.name == "_error" })
        #expect(intruder.waitForClose(timeout: 5))
        #expect(relay.output.contains("wrong cluster secret"))

        var (member, memberDecoder) = try Self.register(port: port, secret: "right-secret")
        let ok = Self.readCommands(member, decoder: &memberDecoder, timeout: 5) { $0.contains { $0.name == "_result" && $0.transactionID == 2 } }
        #expect(ok.contains { $0.name == "_result" && $0.transactionID == 2 })
        #expect(!member.waitForClose(timeout: 1))
    }
}
