import FLV
import Foundation
import ISOBMFF
import NIOCore
import Recording
import Synchronization

/// A DVR recording (possibly still being written) as an export source. Track times are recording
/// milliseconds (timescale 1000; 0 is the recording's wall-clock start). Sample descriptions come
/// from the sequence headers the index points at; samples are read from the tags of the requested
/// range only, starting at the index's seek point.
public struct DVRExportSource: ExportSampleSource {
    public let recording: DVRRecording
    public let tracks: [ExportTrack]
    /// Segment files read ahead in blocks (samples are read one by one).
    private let segments: SegmentReaders
    private let files: any DVRFileSystem
    private let now: Date
    private let videoTrack: Int?
    private let audioTrack: Int?

    /// `now` decides liveness (a recording not written for 5 s is not live, e.g. after a crash).
    public init(recording: DVRRecording, files: any DVRFileSystem, now: Date = Date()) throws {
        self.recording = recording
        self.files = files
        self.segments = SegmentReaders(files: files)
        self.now = now
        var video: [SampleDescription] = []
        var audio: [SampleDescription] = []
        for record in recording.index.records where record.kind == .videoConfig || record.kind == .audioConfig {
            guard recording.segments.contains(where: { $0.number == record.segment }),
                  let frame = try Self.readTag(files: files, recording: recording, at: DVRPosition(segment: record.segment, offset: record.offset)),
                  let description = SampleDescription(sequenceHeader: frame) else { continue }
            if record.kind == .videoConfig, !video.contains(description) { video.append(description) }
            if record.kind == .audioConfig, !audio.contains(description) { audio.append(description) }
        }
        var tracks: [ExportTrack] = []
        videoTrack = video.isEmpty ? nil : tracks.count
        if !video.isEmpty { tracks.append(ExportTrack(kind: .video, timescale: 1000, sampleDescriptions: video)) }
        audioTrack = audio.isEmpty ? nil : tracks.count
        if !audio.isEmpty { tracks.append(ExportTrack(kind: .audio, timescale: 1000, sampleDescriptions: audio)) }
        self.tracks = tracks
    }

    public var availableDuration: Double { Double(recording.endTime) / 1000 }
    public var startTime: Double { Double(recording.startTime) / 1000 }
    public var isLive: Bool { recording.isLive(now: now) }

    public func streamTime(atWallClock date: Date) -> Double? {
        let time = recording.info.time(at: date)
        guard date >= recording.info.startedAt else { return nil }
        return Double(time) / 1000
    }

    private static func readTag(files: any DVRFileSystem, recording: DVRRecording, at position: DVRPosition) throws -> MediaFrame? {
        let path = recording.directory + "/" + DVRName.segmentFile(position.segment)
        let header = try files.readFile(path, offset: position.offset, length: DVRTag.headerSize)
        guard let sizeBytes = header.getBytes(at: header.readerIndex + 1, length: 3) else { return nil }
        let size = DVRTag.headerSize + (Int(sizeBytes[0]) << 16 | Int(sizeBytes[1]) << 8 | Int(sizeBytes[2])) + 4
        guard case .tag(let frame, _) = DVRTag.parse(try files.readFile(path, offset: position.offset, length: size)) else { return nil }
        return frame
    }

    public func samples(track: Int, from start: Int64, to end: Int64) throws -> [ExportSample] {
        guard track == videoTrack || track == audioTrack, var cursor = recording.frames(from: UInt64(max(0, start))) else { return [] }
        let kind: MediaFrame.Kind = track == videoTrack ? .video : .audio
        let descriptions = tracks[track].sampleDescriptions
        var current = 0
        var samples: [ExportSample] = []
        // Bounded by the range: stop a second past `end` (audio and video interleave loosely).
        while true {
            let position = cursor.nextPosition
            guard let frame = try cursor.next() else { break }
            if Int64(frame.timestamp) >= end + 1000 { break }
            guard frame.kind == kind else { continue }
            if frame.isSequenceHeader {
                if let description = SampleDescription(sequenceHeader: frame), let index = descriptions.firstIndex(of: description) { current = index }
                continue
            }
            let headerLength: Int
            var compositionOffset: Int32 = 0
            var isSync = true
            if kind == .video {
                guard let header = FLVVideoTagHeader(payload: frame.payload), header.packetType == .nalu, header.trackID == 0,
                      header.codec == .avc || header.extended != nil else { continue }
                headerLength = header.headerLength
                compositionOffset = header.compositionTime
                isSync = header.isKeyframe
            } else {
                guard let header = FLVAudioTagHeader(payload: frame.payload), header.isAAC || header.isOpus, header.isCodedFrame,
                      header.trackID == 0 else { continue }
                headerLength = header.headerLength
            }
            let size = frame.payload.readableBytes - headerLength
            guard size > 0 else { continue }
            let decodeTime = Int64(frame.timestamp)
            guard decodeTime < end else { continue }
            let location = UInt64(position.segment) << 40 | (position.offset + UInt64(DVRTag.headerSize + headerLength))
            samples.append(ExportSample(decodeTime: decodeTime, compositionOffset: compositionOffset, duration: 0,
                                        size: UInt32(size), isSync: isSync, descriptionIndex: current, location: location))
        }
        samples.sort { $0.decodeTime < $1.decodeTime }
        for index in samples.indices {
            let next = index + 1 < samples.count ? samples[index + 1].decodeTime - samples[index].decodeTime
                : (index > 0 ? Int64(samples[index].duration == 0 ? samples[index - 1].duration : samples[index].duration) : (kind == .video ? 40 : 23))
            samples[index].duration = UInt32(clamping: max(1, next))
        }
        if kind == .audio, let last = samples.lastIndex(where: { $0.decodeTime <= start }) {
            // Every audio frame is a sync sample: start at the last one at or before `start`.
            samples.removeFirst(last)
        }
        return samples
    }

    public func payload(track: Int, sample: ExportSample) throws -> ByteBuffer {
        let segment = UInt32(sample.location >> 40)
        let offset = sample.location & ((1 << 40) - 1)
        let buffer = try segments.reader(for: recording.directory + "/" + DVRName.segmentFile(segment))
            .read(at: offset, count: Int(sample.size))
        guard buffer.readableBytes == Int(sample.size) else {
            throw DVRError.io(path: recording.directory, reason: "segment \(segment) ends before a sample")
        }
        return buffer
    }
}

/// Read-ahead readers of the last two segment files a DVR export or playback touched (shared
/// by the threads that read the same source).
final class SegmentReaders: @unchecked Sendable {
    private let files: any DVRFileSystem
    private let readers = Mutex<[(path: String, reader: ReadAheadByteReader<FileSystemByteReader>)]>([])

    init(files: any DVRFileSystem) { self.files = files }

    func reader(for path: String) throws -> ReadAheadByteReader<FileSystemByteReader> {
        if let found = readers.withLock({ $0.first(where: { $0.path == path })?.reader }) { return found }
        guard let size = files.fileSize(path) else { throw DVRError.io(path: path, reason: "segment file missing") }
        let reader = ReadAheadByteReader(FileSystemByteReader(files: files, path: path, size: size))
        readers.withLock { readers in
            readers.append((path, reader))
            if readers.count > 2 { readers.removeFirst() }
        }
        return reader
    }
}
