import ControlProtocol
import FLV
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing
@testable import DataPlane

/// A player that records what the hub delivers, on an embedded event loop (no sockets).
final class RecordingSubscriber: StreamSubscriber, @unchecked Sendable {
    let eventLoop: any EventLoop = EmbeddedEventLoop()
    let encodingKey = EncodingKey(chunkSize: 4096, streamID: 1)
    var frames: [OutgoingFrame] = []
    var notifications: [String] = []
    /// Frames and notifications in the order they arrived.
    var order: [String] = []
    var batches: [OutgoingBatch] = []
    func deliver(_ batch: OutgoingBatch) {
        batches.append(batch)
        for frame in batch.frames {
            frames.append(frame)
            order.append("frame \(frame.timestamp)")
        }
    }
    func streamDidStart(_ name: String) { notifications.append("start \(name)"); order.append("start \(name)") }
    func streamDidStop(_ name: String) { notifications.append("stop \(name)") }
    func streamNotFound(_ name: String) { notifications.append("not found \(name)") }
    func run() { (eventLoop as! EmbeddedEventLoop).run() }
}

final class EventCollector: DataPlaneEventSink, @unchecked Sendable {
    let events = NIOLockedValueBox<[DataPlaneEvent]>([])
    func emit(_ event: DataPlaneEvent) { events.withLockedValue { $0.append(event) } }
}

@Suite struct StreamHubTests {
    static let avcHeader = MediaFrame(kind: .video, timestamp: 0, payload: ByteBuffer(bytes: [0x17, 0, 0, 0, 0, 1, 100, 0, 31]))
    static func key(_ ts: UInt32) -> MediaFrame { MediaFrame(kind: .video, timestamp: ts, payload: ByteBuffer(bytes: [0x17, 1, 0, 0, 0, 9])) }
    static func inter(_ ts: UInt32) -> MediaFrame { MediaFrame(kind: .video, timestamp: ts, payload: ByteBuffer(bytes: [0x27, 1, 0, 0, 0, 9])) }
    static func audio(_ ts: UInt32) -> MediaFrame { MediaFrame(kind: .audio, timestamp: ts, payload: ByteBuffer(bytes: [0xAF, 1, 7])) }

    @Test func lateJoinerStartsWithHeadersAndTheGOPFromTheLastKeyframe() {
        let events = EventCollector()
        let hub = StreamHub(events: events, gopCacheLimit: 1 << 20)
        #expect(hub.startPublishing("live", sourceID: "c1", source: StreamSource(kind: "publisher", clientId: "c1")))
        for frame in [Self.avcHeader, Self.key(0), Self.inter(40), Self.key(80), Self.audio(90), Self.inter(120)] {
            hub.push(frame, stream: "live", sourceID: "c1")
        }
        let player = RecordingSubscriber()
        let (_, initial) = hub.addPlayer(player, to: "live")
        // JoinerStart's rule: headers at the first media timestamp, and with no audio before the
        // keyframe the first audio frame starts with it.
        #expect(initial.map(\.timestamp) == [80, 80, 80, 120])
        #expect(initial.first?.isSequenceHeader == true)
        #expect(initial.dropFirst().first?.isVideoKeyframe == true)
        #expect(events.events.withLockedValue { $0 } == [.streamPublished(name: "live")])
    }

    @Test func framesFanOutAsTheSameSerializedBytes() {
        let hub = StreamHub(events: DiscardingEventSink(), gopCacheLimit: 1 << 20)
        _ = hub.startPublishing("live", sourceID: "c1", source: StreamSource(kind: "publisher"))
        let players = (0..<3).map { _ in RecordingSubscriber() }
        for player in players { _ = hub.addPlayer(player, to: "live") }
        hub.push(Self.key(0), stream: "live", sourceID: "c1")
        players.forEach { $0.run() }
        let buffers = players.compactMap { $0.frames.first?.bytes(for: $0.encodingKey) }
        #expect(buffers.count == 3)
        // Same storage: the chunks were serialized once, not per player.
        let addresses = buffers.map { $0.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) } }
        #expect(Set(addresses).count == 1)
    }

    @Test func secondSourceIsRefusedAndOnlyTheCurrentSourcePushes() {
        let hub = StreamHub(events: DiscardingEventSink(), gopCacheLimit: 1 << 20)
        #expect(hub.startPublishing("live", sourceID: "a", source: StreamSource(kind: "publisher")))
        #expect(!hub.startPublishing("live", sourceID: "b", source: StreamSource(kind: "publisher")))
        let player = RecordingSubscriber()
        _ = hub.addPlayer(player, to: "live")
        hub.push(Self.key(0), stream: "live", sourceID: "b")
        hub.push(Self.key(0), stream: "live", sourceID: "a")
        player.run()
        #expect(player.frames.count == 1)
    }

    @Test func timestampsContinueWhenAPublisherRestarts() {
        let hub = StreamHub(events: DiscardingEventSink(), gopCacheLimit: 1 << 20)
        let player = RecordingSubscriber()
        _ = hub.addPlayer(player, to: "live")
        _ = hub.startPublishing("live", sourceID: "a", source: StreamSource(kind: "publisher"))
        hub.push(Self.key(5000), stream: "live", sourceID: "a")
        hub.stopPublishing("live", sourceID: "a")
        _ = hub.startPublishing("live", sourceID: "b", source: StreamSource(kind: "publisher"))
        hub.push(Self.key(0), stream: "live", sourceID: "b")
        hub.push(Self.inter(40), stream: "live", sourceID: "b")
        player.run()
        #expect(player.frames.map(\.timestamp) == [5000, 5001, 5041])
        #expect(player.notifications == ["start live", "stop live", "start live"])
    }
}

@Suite struct StreamHubSpliceTests {
    @Test func aSplicedSourceContinuesTimestampsWithoutNotifyingPlayers() {
        let hub = StreamHub(events: DiscardingEventSink(), gopCacheLimit: 1 << 20)
        let player = RecordingSubscriber()
        _ = hub.addPlayer(player, to: "live")
        hub.spliceSource("live", sourceID: "a", source: StreamSource(kind: "upstream", upstream: "a"))
        hub.push(StreamHubTests.key(5000), stream: "live", sourceID: "a")
        hub.push(StreamHubTests.audio(5030), stream: "live", sourceID: "a")
        hub.push(StreamHubTests.inter(5040), stream: "live", sourceID: "a")
        hub.spliceSource("live", sourceID: "b", source: StreamSource(kind: "upstream", upstream: "b"))
        hub.push(StreamHubTests.inter(5080), stream: "live", sourceID: "a") // the old source is cut off
        hub.push(StreamHubTests.key(200), stream: "live", sourceID: "b")
        hub.push(StreamHubTests.audio(210), stream: "live", sourceID: "b")
        player.run()
        #expect(player.frames.map(\.timestamp) == [5000, 5030, 5040, 5041, 5051])
        #expect(player.notifications == ["start live"])
        #expect(player.order.prefix(2) == ["start live", "frame 5000"], "the start notice never overtakes the first frames")
        #expect(hub.snapshots().first?.source?.upstream == "b")
    }
}
