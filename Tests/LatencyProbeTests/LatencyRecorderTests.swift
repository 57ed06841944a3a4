import LatencyProbe
import Testing

@Suite struct LatencyRecorderTests {
    private let ms: UInt64 = 1_000_000

    @Test func warmupSamplesAreLeftOut() {
        var recorder = LatencyRecorder(warmupNanoseconds: 100 * ms)
        for sequence in 0..<10 as Range<UInt64> {
            let sent = 1_000 * ms + sequence * 40 * ms
            recorder.record(LatencyStamp(sequence: sequence, sentNanoseconds: sent), arrivedAt: sent + 2 * ms)
        }
        // Arrivals at 0, 40, 80 ms after the first are in the warm-up; 7 samples remain.
        #expect(recorder.samples == Array(repeating: 2 * ms, count: 7))
        #expect(recorder.received == 10)
        #expect(recorder.lost == 0)
        #expect(recorder.maxArrivalGapNanoseconds == 40 * ms)
    }

    @Test func sequenceGapsCountAsLostAndGoingBackAsOutOfOrder() {
        var recorder = LatencyRecorder(warmupNanoseconds: 0)
        for (sequence, at) in [(0, 0), (1, 40), (4, 160), (3, 170), (5, 1170)] as [(UInt64, UInt64)] {
            recorder.record(LatencyStamp(sequence: sequence, sentNanoseconds: at * ms), arrivedAt: at * ms)
        }
        #expect(recorder.lost == 2)
        #expect(recorder.outOfOrder == 1)
        #expect(recorder.maxArrivalGapNanoseconds == 1000 * ms)
    }

    @Test func framesMissingInTheWarmupAreCountedApart() {
        var recorder = LatencyRecorder(warmupNanoseconds: 1000 * ms)
        // A keyframe, a jump of one GOP at start-up, then one frame missing later.
        for (sequence, at) in [(0, 0), (25, 40), (26, 1080), (28, 1160)] as [(UInt64, UInt64)] {
            recorder.record(LatencyStamp(sequence: sequence, sentNanoseconds: at * ms), arrivedAt: at * ms)
        }
        #expect(recorder.lostInWarmup == 24)
        #expect(recorder.lost == 1)
    }

    @Test func rtmpTimestampsGoingBackwardsAreCounted() {
        var recorder = LatencyRecorder(warmupNanoseconds: 0)
        for (sequence, timestamp) in [(0, 0), (1, 40), (2, 80), (3, 60), (4, 100)] as [(UInt64, UInt32)] {
            recorder.record(LatencyStamp(sequence: sequence, sentNanoseconds: 0), arrivedAt: 1, timestamp: timestamp)
        }
        #expect(recorder.timestampsBackwards == 1)
        #expect(recorder.outOfOrder == 0)
    }

    @Test func samplesAreBounded() {
        var recorder = LatencyRecorder(warmupNanoseconds: 0, maxSamples: 3)
        for sequence in 0..<10 as Range<UInt64> { recorder.record(LatencyStamp(sequence: sequence, sentNanoseconds: 0), arrivedAt: 1) }
        #expect(recorder.samples.count == 3)
        #expect(recorder.received == 10)
    }

    @Test func clockGoingBackwardsGivesZeroNotACrash() {
        var recorder = LatencyRecorder(warmupNanoseconds: 0)
        recorder.record(LatencyStamp(sequence: 0, sentNanoseconds: 500), arrivedAt: 100)
        recorder.record(LatencyStamp(sequence: 1, sentNanoseconds: 50), arrivedAt: 90)
        #expect(recorder.samples == [0, 40])
    }
}

@Suite struct LatencySummaryTests {
    @Test(arguments: [
        (50.0, [UInt64](1...100), 50 as UInt64),
        (90.0, [UInt64](1...100), 90),
        (99.0, [UInt64](1...100), 99),
        (100.0, [UInt64](1...100), 100),
        (50.0, [7], 7),
        (99.0, [1, 2], 2),
        (50.0, [], 0),
        (0.0, [3, 4], 3),
    ])
    func nearestRankPercentile(percent: Double, sorted: [UInt64], expected: UInt64) {
        #expect(LatencySummary.percentile(percent, of: sorted) == expected)
    }

    @Test func summaryMergesPlayersInMilliseconds() {
        var a = LatencyRecorder(warmupNanoseconds: 0)
        var b = LatencyRecorder(warmupNanoseconds: 0)
        for i in 0..<50 as Range<UInt64> {
            a.record(LatencyStamp(sequence: i, sentNanoseconds: 0), arrivedAt: 1_000_000)     // 1 ms
            b.record(LatencyStamp(sequence: i * 2, sentNanoseconds: 0), arrivedAt: 3_500_000) // 3.5 ms, every other frame
        }
        let summary = LatencySummary([a, b, LatencyRecorder()])
        #expect(summary.count == 100)
        #expect(summary.p50 == 1)
        #expect(summary.p90 == 3.5)
        #expect(summary.max == 3.5)
        #expect(summary.lost == 49)
        #expect(summary.players == 3)
        #expect(summary.playersWithMedia == 2)
    }
}
