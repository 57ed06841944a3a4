import FLV
import Foundation
import NIOCore
import Testing
@testable import Recording

/// Synthetic H.264/AAC frames: keyframes every `gop` frames at 25 fps, AAC every 20 ms.
enum Frames {
    static func video(_ number: Int, key: Bool) -> MediaFrame {
        MediaFrame(kind: .video, timestamp: UInt32(number * 40),
                   payload: ByteBuffer(bytes: [key ? 0x17 : 0x27, 0x01, 0, 0, 0] + withUnsafeBytes(of: UInt32(number).bigEndian, Array.init)))
    }
    static let videoConfig = MediaFrame(kind: .video, timestamp: 0, payload: ByteBuffer(bytes: [0x17, 0x00, 0, 0, 0, 1, 0x64, 0, 0x1F]))
    static let audioConfig = MediaFrame(kind: .audio, timestamp: 0, payload: ByteBuffer(bytes: [0xAF, 0x00, 0x12, 0x10]))
    static let metadata = MediaFrame(kind: .scriptData, timestamp: 0, payload: ByteBuffer(bytes: [0x02, 0x00, 0x0A] + Array("onMetaData".utf8)))
    static func audio(_ number: Int) -> MediaFrame {
        MediaFrame(kind: .audio, timestamp: UInt32(number * 20), payload: ByteBuffer(bytes: [0xAF, 0x01, UInt8(number & 0xFF)]))
    }

    /// Writes `seconds` of 25 fps video (keyframe every `gop`) with configurations first.
    static func record(_ writer: DVRWriter, seconds: Int, gop: Int = 25, start: Date, timestampOffset: UInt32 = 0) throws {
        try writer.write(metadata, now: start)
        try writer.write(videoConfig, now: start)
        try writer.write(audioConfig, now: start)
        for number in 0..<(seconds * 25) {
            var frame = video(number, key: number % gop == 0)
            frame.timestamp &+= timestampOffset
            try writer.write(frame, now: start.addingTimeInterval(Double(number) * 0.04))
        }
    }

    static func videoNumber(_ frame: MediaFrame) -> Int? {
        guard frame.kind == .video, frame.payload.readableBytes == 9, !frame.isSequenceHeader else { return nil }
        return Int(frame.payload.getInteger(at: frame.payload.readerIndex + 5, as: UInt32.self)!)
    }
}

@Suite struct DVRWriterTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func recordsAndSeeksFromTheKeyframeBefore() throws {
        let files = MemoryFileSystem()
        let writer = try DVRWriter(files: files, mediaRoot: "/m", stream: "live", now: start)
        try writer.startSession(now: start)
        try Frames.record(writer, seconds: 10, start: start)
        try writer.commit(now: start.addingTimeInterval(10))

        let store = DVRStore(files: files, mediaRoot: "/m")
        let recording = try #require(store.recording(stream: "live"))
        #expect(recording.info.startedAt == start)
        #expect(recording.endTime == 249 * 40)
        #expect(!recording.isClosed)
        #expect(recording.isLive(now: start.addingTimeInterval(11)))
        #expect(!recording.isLive(now: start.addingTimeInterval(60)))

        var cursor = try #require(recording.frames(from: 3500))
        let first = try (0..<4).compactMap { _ in try cursor.next() }
        #expect(first.map(\.kind) == [.scriptData, .video, .audio, .video])
        #expect(first[1].isSequenceHeader && first[2].isSequenceHeader)
        #expect(Frames.videoNumber(first[3]) == 75, "keyframe at 3.0 s precedes 3.5 s")
        #expect(first[3].timestamp == 3000)
        var count = 0
        while let frame = try cursor.next() { count += 1; #expect(Frames.videoNumber(frame) == 75 + count) }
        #expect(count == 249 - 75)
    }

    @Test func restartContinuesTheRecordingAtWallClockTime() throws {
        let files = MemoryFileSystem()
        let writer = try DVRWriter(files: files, mediaRoot: "/m", stream: "live", now: start)
        try writer.startSession(now: start)
        try Frames.record(writer, seconds: 2, start: start)
        try writer.close(now: start.addingTimeInterval(2))
        #expect(DVRStore(files: files, mediaRoot: "/m").recording(stream: "live")?.isClosed == true)

        // The publisher comes back 30 s later with timestamps from 5000 again.
        let later = start.addingTimeInterval(30)
        let resumed = try DVRWriter(files: files, mediaRoot: "/m", stream: "live", now: later)
        #expect(resumed.segmentNumber == 2)
        try resumed.startSession(now: later)
        try Frames.record(resumed, seconds: 2, start: later, timestampOffset: 5000)
        try resumed.commit(now: later.addingTimeInterval(2))

        let recording = try #require(DVRStore(files: files, mediaRoot: "/m").recording(stream: "live"))
        #expect(!recording.isClosed)
        #expect(recording.info.startedAt == start)
        #expect(recording.endTime == 30_000 + 49 * 40)
        let seek = try #require(recording.seekPoint(at: 31_000))
        #expect(seek.time == 31_000)
        #expect(seek.start.segment == 2)
        #expect(seek.configurations.allSatisfy { $0.segment == 2 })
        #expect(recording.info.time(at: later.addingTimeInterval(1)) == 31_000)
    }

    @Test func tornTailsAreTruncatedOnOpenAndRecordingContinues() throws {
        let files = MemoryFileSystem()
        let writer = try DVRWriter(files: files, mediaRoot: "/m", stream: "live", now: start)
        try writer.startSession(now: start)
        try Frames.record(writer, seconds: 4, start: start)
        let segment = "/m/dvr/live/seg-00000001.flv"
        let index = "/m/dvr/live/index.dvx"
        let goodSegment = files.bytes(segment).count
        let goodIndex = files.bytes(index).count
        // A crash mid-write: half a tag and half an index record.
        var half = ByteBuffer()
        DVRTag.encode(Frames.video(100, key: true), time: 4000, into: &half)
        files.setBytes(segment, files.bytes(segment) + Array(half.readableBytesView.prefix(9)))
        files.setBytes(index, files.bytes(index) + [UInt8](repeating: 0xAB, count: 20))

        let reader = try #require(DVRStore(files: files, mediaRoot: "/m").recording(stream: "live"))
        #expect(reader.endTime == 99 * 40)
        #expect(files.bytes(segment).count == goodSegment + 9, "readers never modify files")

        let resumed = try DVRWriter(files: files, mediaRoot: "/m", stream: "live", now: start.addingTimeInterval(10))
        #expect(files.bytes(segment).count == goodSegment)
        #expect(files.bytes(index).count > goodIndex && (files.bytes(index).count - goodIndex) % 32 == 0)
        try resumed.startSession(now: start.addingTimeInterval(10))
        try Frames.record(resumed, seconds: 1, start: start.addingTimeInterval(10))
        try resumed.commit(now: start.addingTimeInterval(11))
        let recording = try #require(DVRStore(files: files, mediaRoot: "/m").recording(stream: "live"))
        #expect(recording.index.records.count * 32 == files.bytes(index).count)
        var cursor = try #require(recording.frames(from: 0))
        var videoFrames = 0
        while let frame = try cursor.next() { if Frames.videoNumber(frame) != nil { videoFrames += 1 } }
        #expect(videoFrames == 100 + 25, "all of the first session, across the segment boundary")
    }

    @Test func segmentsRollAtKeyframesAndStandAlone() throws {
        let files = MemoryFileSystem()
        let writer = try DVRWriter(files: files, mediaRoot: "/m", stream: "s", now: start, options: .init(segmentBytes: 800))
        try writer.startSession(now: start)
        try Frames.record(writer, seconds: 8, start: start)
        try writer.commit(now: start.addingTimeInterval(8))
        let store = DVRStore(files: files, mediaRoot: "/m")
        let recording = try #require(store.recording(stream: "s"))
        #expect(recording.segments.count > 3)
        // Retention removes the first segments; what is left still seeks with configurations.
        try files.removeItem("/m/dvr/s/seg-00000001.flv")
        try files.removeItem("/m/dvr/s/seg-00000002.flv")
        let trimmed = try #require(store.recording(stream: "s"))
        #expect(trimmed.startTime > 0)
        var cursor = try #require(trimmed.frames(from: 0))
        let first = try (0..<4).compactMap { _ in try cursor.next() }
        #expect(first.map(\.kind) == [.scriptData, .video, .audio, .video])
        #expect(first[3].isVideoKeyframe)
        #expect(UInt64(first[3].timestamp) == trimmed.startTime)
    }

    @Test func audioOnlyStreamsGetSeekPoints() throws {
        let files = MemoryFileSystem()
        let writer = try DVRWriter(files: files, mediaRoot: "/m", stream: "radio", now: start)
        try writer.startSession(now: start)
        try writer.write(Frames.audioConfig, now: start)
        for number in 0..<250 { try writer.write(Frames.audio(number), now: start) }
        try writer.commit(now: start.addingTimeInterval(5))
        let recording = try #require(DVRStore(files: files, mediaRoot: "/m").recording(stream: "radio"))
        let seek = try #require(recording.seekPoint(at: 2500))
        #expect(seek.time == 2000)
        #expect(seek.configurations.count == 1)
    }

    @Test func timestampsWrapWithout32BitJumps() {
        var extender = TimestampExtender()
        #expect(extender.extend(UInt32.max - 10) == UInt64(UInt32.max - 10))
        #expect(extender.extend(5) == (1 << 32) + 5)
        #expect(extender.extend(UInt32.max - 2) == UInt64(UInt32.max - 2), "a late frame from before the wrap")
        #expect(extender.extend(40) == (1 << 32) + 40)
    }
}

@Suite struct DVRRetentionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func segment(_ dir: String, _ number: UInt32, ageSeconds: Double, bytes: UInt64, active: Bool = false) -> DVRRetention.Segment {
        .init(directory: dir, number: number, endedAt: now.addingTimeInterval(-ageSeconds), bytes: bytes, isActive: active)
    }

    @Test func byAgeRemovesOnlyOldInactiveSegments() {
        let segments = [segment("a", 1, ageSeconds: 7200, bytes: 10), segment("a", 2, ageSeconds: 100, bytes: 10),
                        segment("b", 1, ageSeconds: 9000, bytes: 10, active: true)]
        #expect(DVRRetention(maxAge: 3600).select(segments, now: now).map(\.number) == [1])
        #expect(DVRRetention(maxAge: 3600).select(segments, now: now).first?.directory == "a")
    }

    @Test func bySizeRemovesOldestFirstUntilItFits() {
        let segments = [segment("a", 2, ageSeconds: 50, bytes: 100), segment("a", 1, ageSeconds: 500, bytes: 100),
                        segment("b", 1, ageSeconds: 300, bytes: 100), segment("b", 2, ageSeconds: 1, bytes: 100, active: true)]
        let removed = DVRRetention(maxBytes: 250).select(segments, now: now)
        #expect(removed.map { "\($0.directory)\($0.number)" } == ["a1", "b1"])
        #expect(DVRRetention().select(segments, now: now).isEmpty)
    }

    @Test func storeAppliesRetentionAndRemovesEmptyRecordings() throws {
        let files = MemoryFileSystem()
        let old = try DVRWriter(files: files, mediaRoot: "/m", stream: "old", now: now.addingTimeInterval(-7200))
        try old.startSession(now: now.addingTimeInterval(-7200))
        try Frames.record(old, seconds: 2, start: now.addingTimeInterval(-7200))
        try old.close(now: now.addingTimeInterval(-7198))
        let live = try DVRWriter(files: files, mediaRoot: "/m", stream: "live", now: now)
        try live.startSession(now: now)
        try Frames.record(live, seconds: 2, start: now)
        let store = DVRStore(files: files, mediaRoot: "/m")
        #expect(store.recordings().map(\.stream) == ["live", "old"])
        let removed = store.applyRetention(DVRRetention(maxAge: 3600), active: [live.directory: live.segmentNumber], now: now)
        #expect(removed.count == 1)
        #expect(store.recordings().map(\.stream) == ["live"])
    }
}
