import ControlProtocol
import Foundation
import Testing

@Suite struct MessagesTests {
    @Test func roundTripsThroughJSON() throws {
        let messages: [DataPlaneMessage] = [
            .hello(Hello(softwareVersion: "t", role: "edge", app: "a", rtmpListen: "127.0.0.1:1935", startedAt: Date(timeIntervalSince1970: 1))),
            .event(.upstreamIdle(server: "127.0.0.1:1936/livestreamcast_origin", stream: "live")),
            .reply(CommandReply(id: 7, ok: false, errorCode: "not-found", message: "no such client")),
        ]
        for message in messages {
            let data = try JSONEncoder().encode(message)
            #expect(!data.contains(UInt8(ascii: "\n")))
            #expect(try JSONDecoder().decode(DataPlaneMessage.self, from: data) == message)
        }
    }
}
