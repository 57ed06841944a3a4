import FLV
import Foundation
import NIOCore
import Testing
@testable import Recording

/// Publisher timestamps that jump (forwards or backwards) are a discontinuity: the recording's
/// timeline follows the wall clock, not the publisher's clock (issue 9).
@Suite struct DVRTimestampJumpTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let threeDays: UInt32 = 3 * 86_400 * 1000

    /// 25 fps video and 50/s audio, real-time paced, with `jump` added to every timestamp from
    /// second `jumpAt` on.
    private func publish(_ writer: DVRWriter, seconds: Int, jumpAt: Int, jump: (UInt32) -> UInt32) throws {
        try writer.write(Frames.videoConfig, now: start)
        try writer.write(Frames.audioConfig, now: start)
        for number in 0..<(seconds * 50) {
            let now = start.addingTimeInterval(Double(number) * 0.02)
            func shift(_ frame: MediaFrame) -> MediaFrame {
                var frame = frame
                if number >= jumpAt * 50 { frame.timestamp = jump(frame.timestamp) }
                return frame
            }
            if number % 2 == 0 { try writer.write(shift(Frames.video(number / 2, key: number % 50 == 0)), now: now) }
            try writer.write(shift(Frames.audio(number)), now: now)
        }
    }

    @Test func aForwardJumpOfThreeDaysKeepsTheRecordingWallClockLong() throws {
        let files = MemoryFileSystem()
        let writer = try DVRWriter(files: files, mediaRoot: "/m", stream: "live", now: start)
        try writer.startSession(now: start)
        try publish(writer, seconds: 40, jumpAt: 20) { $0 &+ Self.threeDays }
        try writer.commit(now: start.addingTimeInterval(40))
        #expect(writer.discontinuities == 1, "audio follows the re-anchored clock: one discontinuity, not one per track")

        let recording = try #require(DVRStore(files: files, mediaRoot: "/m").recording(stream: "live"))
        #expect(recording.endTime >= 39_900 && recording.endTime <= 40_100, "40 s recorded, listed as \(recording.endTime) ms")
        // Every frame keeps its place on the wall-clock timeline, across the jump.
        var cursor = try #require(recording.frames(from: 0))
        var previousVideo: UInt32?
        while let frame = try cursor.next() {
            guard let number = Frames.videoNumber(frame) else { continue }
            #expect(abs(Int(frame.timestamp) - number * 40) <= 40, "frame \(number) at \(frame.timestamp) ms")
            if let previousVideo { #expect(frame.timestamp > previousVideo) }
            previousVideo = frame.timestamp
        }
        // "The last 10 s" seeks inside the recording, not 72 hours away.
        let seek = try #require(recording.seekPoint(at: recording.endTime - 10_000))
        #expect(seek.time >= 29_000 && seek.time <= 30_100)
    }

    @Test func aBackwardJumpContinuesAfterTheLastFrame() throws {
        let files = MemoryFileSystem()
        let writer = try DVRWriter(files: files, mediaRoot: "/m", stream: "live", now: start)
        try writer.startSession(now: start)
        // From 10 s on, timestamps restart near 0 (an encoder that reset its clock).
        try publish(writer, seconds: 20, jumpAt: 10) { $0 &- 9_900 }
        try writer.commit(now: start.addingTimeInterval(20))
        #expect(writer.discontinuities == 1)
        let recording = try #require(DVRStore(files: files, mediaRoot: "/m").recording(stream: "live"))
        #expect(recording.endTime >= 19_900 && recording.endTime <= 20_100)
        let seek = try #require(recording.seekPoint(at: 15_000))
        #expect(seek.time >= 14_000 && seek.time <= 15_000, "the second half is after the first, not over it")
    }

    @Test func smallJitterAndRealPausesAreNotDiscontinuities() throws {
        let files = MemoryFileSystem()
        let writer = try DVRWriter(files: files, mediaRoot: "/m", stream: "live", now: start)
        try writer.startSession(now: start)
        // A 2 s jump (two seconds of media dropped by the encoder) is within the threshold.
        try publish(writer, seconds: 10, jumpAt: 5) { $0 &+ 2_000 }
        #expect(writer.discontinuities == 0)
        try writer.write(MediaFrame(kind: .audio, timestamp: 12_300, payload: ByteBuffer(bytes: [0xAF, 0x01, 1])), now: start.addingTimeInterval(10))
        #expect(writer.discontinuities == 0)
        #expect(writer.lastTime == 12_300, "within the threshold the publisher's clock is kept")
    }

    @Test func aRealPauseBeyondTheThresholdKeepsItsWallClockLength() throws {
        let files = MemoryFileSystem()
        let writer = try DVRWriter(files: files, mediaRoot: "/m", stream: "live", now: start)
        try writer.startSession(now: start)
        try writer.write(Frames.video(0, key: true), now: start)
        // The encoder stalls for 30 s (wall clock) and its timestamps say 30 s as well.
        var frame = Frames.video(1, key: true)
        frame.timestamp = 30_000
        try writer.write(frame, now: start.addingTimeInterval(30))
        #expect(writer.lastTime == 30_000)
    }
}

/// Reopening after a full disk does not leave one empty segment file per retry.
@Suite struct DVRWriterRetryTests {
    @Test func aSegmentWhoseHeaderNeverLandedIsReused() throws {
        let files = MemoryFileSystem()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let writer = try DVRWriter(files: files, mediaRoot: "/m", stream: "live", now: start)
        try writer.startSession(now: start)
        try Frames.record(writer, seconds: 2, start: start)
        try writer.close(now: start.addingTimeInterval(2))
        // A retry on a full disk created segment 2 but could not write its header.
        files.setBytes("/m/dvr/live/seg-00000002.flv", Array(DVRTag.fileHeader.prefix(5)))
        let retried = try DVRWriter(files: files, mediaRoot: "/m", stream: "live", now: start.addingTimeInterval(10))
        #expect(retried.segmentNumber == 2)
        try retried.startSession(now: start.addingTimeInterval(10))
        try Frames.record(retried, seconds: 1, start: start.addingTimeInterval(10))
        try retried.commit(now: start.addingTimeInterval(11))
        #expect(files.fileSize("/m/dvr/live/seg-00000003.flv") == nil)
        let recording = try #require(DVRStore(files: files, mediaRoot: "/m").recording(stream: "live"))
        #expect(recording.segments.map(\.number) == [1, 2])
        var cursor = try #require(recording.frames(from: 0))
        var videoFrames = 0
        while let frame = try cursor.next() { if Frames.videoNumber(frame) != nil { videoFrames += 1 } }
        #expect(videoFrames == 50 + 25)
    }
}
