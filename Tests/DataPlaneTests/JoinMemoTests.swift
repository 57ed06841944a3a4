import ControlProtocol
import FLV
import NIOCore
import NIOEmbedded
import Testing
@testable import DataPlane

@Suite struct JoinMemoTests {
    static func storage(of frames: [OutgoingFrame], key: EncodingKey) -> [UInt] {
        frames.compactMap { $0.bytes(for: key)?.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) } }
    }

    @Test func playersJoiningBetweenTwoFramesShareOneSerializationOfTheCache() throws {
        let loop = EmbeddedEventLoop()
        let node = RelayNode(configuration: RelayConfiguration(port: 0), group: loop)
        let hub = node.hub
        #expect(hub.startPublishing("live", sourceID: "c1", source: StreamSource(kind: "publisher", clientId: "c1")))
        hub.push([StreamHubTests.avcHeader, StreamHubTests.key(0), StreamHubTests.audio(10), StreamHubTests.inter(40)],
                 stream: "live", sourceID: "c1")
        let first = RTMPConnection(node: node, eventLoop: loop)
        let second = RTMPConnection(node: node, eventLoop: loop)
        let firstFrames = hub.join(first, to: "live").initial
        let secondFrames = hub.join(second, to: "live").initial
        let key = first.encodingKey
        #expect(firstFrames.map(\.timestamp) == [0, 0, 0, 40])
        #expect(Self.storage(of: firstFrames, key: key) == Self.storage(of: secondFrames, key: key), "serialized once, shared")

        // A frame changes what joiners need: the next one gets it, serialized afresh.
        hub.push(StreamHubTests.inter(80), stream: "live", sourceID: "c1")
        let third = RTMPConnection(node: node, eventLoop: loop)
        let thirdFrames = hub.join(third, to: "live").initial
        #expect(thirdFrames.map(\.timestamp) == [0, 0, 0, 40, 80])
        #expect(Self.storage(of: thirdFrames, key: key).first != Self.storage(of: firstFrames, key: key).first)
        #expect(hub.snapshots().first?.players == 3)
        try loop.syncShutdownGracefully()
    }
}
