import NIOCore
import Testing
@testable import Recording

@Suite struct DVRIndexTests {
    private func record(_ kind: DVRIndexRecord.Kind, _ segment: UInt32, _ offset: UInt64, _ time: UInt64) -> DVRIndexRecord {
        DVRIndexRecord(kind: kind, segment: segment, offset: offset, time: time, wallSeconds: UInt32(time / 1000))
    }

    @Test func recordRoundTrip() throws {
        let original = DVRIndexRecord(kind: .keyframe, segment: 7, offset: 0x1_2345_6789, time: 0xABCD_EF01_2345, wallSeconds: 99)
        var buffer = ByteBuffer()
        original.encode(into: &buffer)
        #expect(buffer.readableBytes == DVRIndexRecord.size)
        #expect(DVRIndexRecord.decode(from: &buffer) == original)
        #expect(buffer.readableBytes == 0)
    }

    @Test func tornTailIsDropped() {
        var buffer = ByteBuffer()
        for index in 0..<5 { record(.keyframe, 1, UInt64(index * 100), UInt64(index * 1000)).encode(into: &buffer) }
        var torn = buffer.getSlice(at: 0, length: 4 * 32 + 17)!
        #expect(DVRIndexRecord.decodeAll(torn).records.count == 4)
        #expect(DVRIndexRecord.decodeAll(torn).validLength == 128)
        // A flipped bit in the third record ends the valid prefix there.
        torn = buffer
        torn.setInteger(UInt8(0xFF), at: 2 * 32 + 10)
        #expect(DVRIndexRecord.decodeAll(torn).records.count == 2)
        // Zeroes (a file extended but never written) are not records.
        #expect(DVRIndexRecord.decodeAll(ByteBuffer(repeating: 0, count: 64)).records.isEmpty)
    }

    @Test func seekFindsKeyframeAtOrBeforeWithConfigurations() throws {
        let index = DVRIndex(records: [
            record(.segmentStart, 1, 13, 0), record(.sessionStart, 1, 13, 0),
            record(.metadata, 1, 13, 0), record(.videoConfig, 1, 50, 0), record(.audioConfig, 1, 90, 0),
            record(.keyframe, 1, 120, 0), record(.keyframe, 1, 5000, 2000), record(.keyframe, 1, 9000, 4000),
            record(.commit, 1, 12000, 5000),
        ])
        let at3 = try #require(index.seekPoint(at: 3000))
        #expect(at3.start == DVRPosition(segment: 1, offset: 5000))
        #expect(at3.time == 2000)
        #expect(at3.configurations.map(\.offset) == [13, 50, 90])
        #expect(index.seekPoint(at: 4000)?.time == 4000)
        #expect(index.seekPoint(at: 999_999)?.time == 4000)
        #expect(index.seekPoint(at: 0)?.start.offset == 120)
        #expect(index.lastTime == 5000)
        #expect(!index.isClosed)
    }

    @Test func seekSkipsRemovedSegmentsAndEarlierSessions() throws {
        let index = DVRIndex(records: [
            record(.segmentStart, 1, 13, 0), record(.videoConfig, 1, 13, 0), record(.keyframe, 1, 60, 0),
            record(.segmentStart, 2, 13, 3000), record(.videoConfig, 2, 13, 3000), record(.keyframe, 2, 60, 3000),
            record(.sessionStart, 2, 900, 9000), record(.keyframe, 2, 900, 9000),
        ])
        let early = try #require(index.seekPoint(at: 100, firstSegment: 2))
        #expect(early.start == DVRPosition(segment: 2, offset: 60))
        #expect(early.configurations == [DVRPosition(segment: 2, offset: 13)])
        // After a new publisher session without a new sequence header, the old one is not used.
        let late = try #require(index.seekPoint(at: 9500, firstSegment: 2))
        #expect(late.configurations.isEmpty)
        #expect(index.seekPoint(at: 0, firstSegment: 3) == nil)
    }
}
