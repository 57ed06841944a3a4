import FLV
import NIOCore
import Testing
@testable import DataPlane

@Suite struct SourceBatchTests {
    static let window = MergePolicy(window: .milliseconds(20), minimumPlayers: 100)

    @Test func withoutAWindowEveryReadIsRelayedAtItsEnd() {
        var batch = SourceBatch(policy: .perRead)
        #expect(batch.readEnded() == .wait, "nothing received, nothing to relay")
        batch.append(StreamHubTests.key(0))
        batch.append(StreamHubTests.audio(10))
        #expect(batch.readEnded() == .relay([StreamHubTests.key(0), StreamHubTests.audio(10)]))
        #expect(batch.frames.isEmpty)
    }

    @Test func aStreamWithFewPlayersIsNotDelayed() {
        var batch = SourceBatch(policy: Self.window)
        batch.relayed(toPlayers: 99)
        batch.append(StreamHubTests.key(0))
        #expect(batch.readEnded() == .relay([StreamHubTests.key(0)]))
    }

    @Test func aStreamWithManyPlayersWaitsForTheWindowOnce() {
        var batch = SourceBatch(policy: Self.window)
        batch.relayed(toPlayers: 100)
        batch.append(StreamHubTests.key(0))
        #expect(batch.readEnded() == .startWindow(.milliseconds(20)))
        batch.append(StreamHubTests.audio(10))
        #expect(batch.readEnded() == .wait, "the running window takes this read too")
        #expect(batch.take() == [StreamHubTests.key(0), StreamHubTests.audio(10)])
        batch.append(StreamHubTests.inter(40))
        #expect(batch.readEnded() == .startWindow(.milliseconds(20)), "a new window after the last one closed")
    }

    @Test func aBatchNeverHoldsMoreThanItsBytes() {
        var policy = Self.window
        policy.maximumBytes = 8
        var batch = SourceBatch(policy: policy)
        batch.relayed(toPlayers: 1000)
        let big = MediaFrame(kind: .video, timestamp: 0, payload: ByteBuffer(repeating: 0x27, count: 16))
        batch.append(big)
        #expect(batch.readEnded() == .relay([big]))
    }
}
