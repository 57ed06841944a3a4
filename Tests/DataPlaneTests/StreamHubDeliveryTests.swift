import ControlProtocol
import FLV
import NIOCore
import NIOEmbedded
import Testing
@testable import DataPlane

/// A player on the publisher's own event loop whose socket fails when it is told the stream
/// started: it leaves the stream from inside the notification, as `channelInactive` does.
final class FailingPlayer: StreamSubscriber, @unchecked Sendable {
    let eventLoop: any EventLoop = EmbeddedEventLoop()
    let encodingKey = EncodingKey(chunkSize: 4096, streamID: 1)
    let hub: StreamHub
    var stream: LiveStream?
    var left = false
    init(hub: StreamHub) { self.hub = hub }
    func deliver(_ batch: OutgoingBatch) {}
    func streamDidStart(_ name: String) {
        guard let stream else { return }
        hub.removePlayer(self, from: stream)
        left = true
    }
    func streamDidStop(_ name: String) {}
    func streamNotFound(_ name: String) {}
}

@Suite struct StreamHubDeliveryTests {
    // Without the fix this test hangs (or traps): the notification ran under the hub lock and
    // `removePlayer` took it again on the same thread.
    @Test func aPlayerLeavingWhileThePublisherStartsDoesNotDeadlock() {
        let hub = StreamHub(events: EventCollector(), gopCacheLimit: 1 << 20)
        let player = FailingPlayer(hub: hub)
        player.stream = hub.addPlayer(player, to: "live").stream
        #expect(hub.startPublishing("live", sourceID: "c1", source: StreamSource(kind: "publisher", clientId: "c1")))
        #expect(player.left)
        #expect(!hub.hasPlayers("live"))
        // The same through a splice (an upstream becoming the source of an idle stream).
        let second = FailingPlayer(hub: hub)
        second.stream = hub.addPlayer(second, to: "pulled").stream
        hub.spliceSource("pulled", sourceID: "u1", source: StreamSource(kind: "upstream", upstream: "u1"))
        #expect(second.left)
    }

    @Test func aBatchReachesEachPlayerWithOneFlush() {
        let hub = StreamHub(events: EventCollector(), gopCacheLimit: 1 << 20)
        #expect(hub.startPublishing("live", sourceID: "c1", source: StreamSource(kind: "publisher", clientId: "c1")))
        let players = [RecordingSubscriber(), RecordingSubscriber()]
        for player in players { _ = hub.addPlayer(player, to: "live") }
        hub.push([StreamHubTests.key(0), StreamHubTests.audio(10), StreamHubTests.inter(40)], stream: "live", sourceID: "c1")
        hub.push([StreamHubTests.audio(50)], stream: "live", sourceID: "c1")
        for player in players {
            player.run()
            #expect(player.frames.map(\.timestamp) == [0, 10, 40, 50])
            #expect(player.batches.count == 2)
            // A player keeping up writes a batch at once: every frame's bytes, back to back.
            let parts = player.batches[0].frames.compactMap { $0.bytes(for: player.encodingKey) }
            var expected = ByteBuffer()
            for var part in parts { expected.writeBuffer(&part) }
            #expect(player.batches[0].contiguousBytes(for: player.encodingKey) == expected)
            #expect(expected.readableBytes > 0)
            // Subscribers that do not speak RTMP get the frame itself.
            #expect(player.frames.first?.frame == StreamHubTests.key(0))
        }
    }
}
