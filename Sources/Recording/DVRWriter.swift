import FLV
import Foundation
import NIOCore

/// Appends one stream's frames to its recording. Not thread-safe: the recorder drives each writer
/// from its own writer thread. Clocks are passed in (`now`), so tests drive time.
///
/// Crash safety: a tag is appended to the segment before the index record that points at it, and
/// both files are fsync'd at every commit (about once a second), followed by a `commit` record.
/// A SIGKILL loses only what was not yet handed to the kernel; a power loss at most the time since
/// the last commit. `DVRRecording.open(repair: true)` truncates torn tails.
///
/// Publisher stop/restart: the same recording continues (one recording per stream name). A new
/// publisher session starts at recording time = wall-clock time since the recording started
/// (never before the last frame), so recording time keeps mapping to wall-clock time across gaps.
/// Every writer opening starts a new segment, so nothing is ever appended after a repaired tail.
///
/// Timestamp discontinuities: publisher timestamps are not trusted to be continuous. A frame whose
/// time would land more than `maxTimestampJump` after (or before) the last frame of its kind is a
/// discontinuity: the session's clock is re-anchored so that the frame follows the previous one
/// by the wall-clock time that passed between them. A +3 days jump in a 40 s publish therefore
/// still records 40 s, and durations, listings, exports and DVR playback stay wall-clock true.
public final class DVRWriter {
    /// Sizes and intervals of a writer.
    public struct Options: Sendable {
        /// A new segment starts at the first seek point past this size.
        public var segmentBytes: UInt64
        /// Seconds between commits (fsync + commit record).
        public var commitInterval: TimeInterval
        /// Largest jump (ms) between two frames of one kind taken as the publisher's clock;
        /// beyond it, forwards or backwards, the timeline is re-anchored to wall-clock time.
        public var maxTimestampJump: UInt64
        public init(segmentBytes: UInt64 = 256 << 20, commitInterval: TimeInterval = 1, maxTimestampJump: UInt64 = 5_000) {
            self.segmentBytes = segmentBytes
            self.commitInterval = commitInterval
            self.maxTimestampJump = maxTimestampJump
        }
    }

    public let directory: String
    public let info: DVRRecordingInfo
    private let files: any DVRFileSystem
    private let options: Options
    private let index: any DVRAppendFile
    private var segment: (any DVRAppendFile)?
    public private(set) var segmentNumber: UInt32
    private var segmentSize: UInt64 = 0
    /// Recording time of the last frame written.
    public private(set) var lastTime: UInt64
    /// Bytes written to segment files by this writer.
    public private(set) var bytesWritten: UInt64 = 0
    private var session: (firstTimestamp: UInt64, base: UInt64)?
    private var timestampExtender = TimestampExtender()
    private var configurations: [DVRIndexRecord.Kind: MediaFrame] = [:]
    private var sessionHasVideo = false
    private var lastAudioSync: UInt64?
    /// Recording time and wall-clock time of the last audio and video frame of this session.
    private var lastByKind: [MediaFrame.Kind: (time: UInt64, at: Date)] = [:]
    /// Timestamp discontinuities re-anchored by this writer.
    public private(set) var discontinuities = 0
    private var lastCommit: Date
    private var dirty = false

    /// Opens the recording of `stream` under `mediaRoot/dvr/`, creating it if needed, repairing and
    /// continuing it if it exists.
    public init(files: any DVRFileSystem, mediaRoot: String, stream: String, now: Date, options: Options = .init()) throws {
        guard let name = DVRName.directoryName(forStream: stream) else { throw DVRError.badStreamName(stream) }
        let dvr = mediaRoot + "/" + DVRName.dvrDirectory
        directory = dvr + "/" + name
        self.files = files
        self.options = options
        lastCommit = now
        // Never write through a link that leads out of dvr/ (a planted symbolic link).
        if files.resolvedPath(directory) != nil, !DVRStore(files: files, mediaRoot: mediaRoot).isInsideDVRDirectory(directory) {
            throw DVRError.io(path: directory, reason: "a symbolic link leading out of \(dvr): not recorded into")
        }
        if files.fileSize(directory + "/" + DVRName.infoFile) != nil {
            let existing = try DVRRecording.open(files: files, directory: directory, repair: true)
            info = existing.info
            lastTime = existing.endTime
            segmentNumber = (existing.segments.last?.number ?? 0) + 1
            // A segment whose header never made it to disk (the disk was full when it was opened)
            // holds nothing and nothing points into it: reuse its number rather than leave one
            // empty file per retry.
            if let last = existing.segments.last, last.bytes < UInt64(DVRTag.fileHeader.count),
               !existing.index.records.contains(where: { $0.segment == last.number }) {
                try files.removeItem(directory + "/" + DVRName.segmentFile(last.number))
                segmentNumber = last.number
            }
        } else {
            try files.createDirectory(directory)
            info = DVRRecordingInfo(stream: stream, startedAt: now)
            try files.writeFileAtomically(directory + "/" + DVRName.infoFile, ByteBuffer(bytes: Array(try info.encoded())))
            lastTime = 0
            segmentNumber = 1
        }
        index = try files.openForAppend(directory + "/" + DVRName.indexFile)
        try openSegment(now: now, time: lastTime)
    }

    private var wallSeconds: (Date) -> UInt32 {
        { [info] now in UInt32(clamping: Int64(max(0, now.timeIntervalSince(info.startedAt)))) }
    }

    private func openSegment(now: Date, time: UInt64) throws {
        try segment?.sync()
        try segment?.close()
        let file = try files.openForAppend(directory + "/" + DVRName.segmentFile(segmentNumber))
        try file.write(ByteBuffer(bytes: DVRTag.fileHeader))
        segment = file
        segmentSize = UInt64(DVRTag.fileHeader.count)
        try appendRecord(.segmentStart, time: time, now: now)
    }

    private func appendRecord(_ kind: DVRIndexRecord.Kind, offset: UInt64? = nil, time: UInt64, now: Date) throws {
        var buffer = ByteBuffer()
        DVRIndexRecord(kind: kind, segment: segmentNumber, offset: offset ?? segmentSize, time: time,
                       wallSeconds: wallSeconds(now)).encode(into: &buffer)
        try index.write(buffer)
        dirty = true
    }

    /// A publisher (re)started the stream: timestamps restart and configurations may change.
    public func startSession(now: Date) throws {
        let wallTime = info.time(at: now)
        session = nil
        sessionBase = max(wallTime, bytesWritten == 0 && lastTime == 0 ? 0 : lastTime + 1)
        timestampExtender = TimestampExtender()
        configurations = [:]
        sessionHasVideo = false
        lastAudioSync = nil
        lastByKind = [:]
        try appendRecord(.sessionStart, time: sessionBase, now: now)
    }

    private var sessionBase: UInt64 = 0

    /// Appends one frame (timestamp on the stream's clock) to the recording.
    public func write(_ frame: MediaFrame, now: Date) throws {
        guard frame.payload.readableBytes <= DVRTag.maxDataSize else { return }
        let time: UInt64
        if session == nil, frame.kind == .scriptData || frame.isSequenceHeader {
            // Configurations often carry timestamp 0 whatever the media's clock: they do not anchor it.
            time = sessionBase
        } else {
            let extended = timestampExtender.extend(frame.timestamp)
            var mapping = session ?? (extended, sessionBase)
            if let last = lastByKind[frame.kind],
               case let candidate = Self.time(of: extended, mapping: mapping),
               candidate > last.time + options.maxTimestampJump || candidate + options.maxTimestampJump < last.time {
                // The publisher's clock jumped: keep the wall-clock distance from the last frame.
                let elapsed = UInt64(max(0, (now.timeIntervalSince(last.at) * 1000).rounded()))
                mapping = (extended, last.time + max(1, elapsed))
                discontinuities += 1
            }
            session = mapping
            time = Self.time(of: extended, mapping: mapping)
            lastByKind[frame.kind] = (time, now)
        }

        let kind = recordKind(for: frame, time: time)
        if kind == .keyframe || kind == .audioSync, segmentSize >= options.segmentBytes {
            segmentNumber += 1
            try openSegment(now: now, time: time)
            // Each segment starts with the configurations in force, so it stands alone after
            // retention removed the ones before it.
            for configKind in [DVRIndexRecord.Kind.metadata, .videoConfig, .audioConfig] {
                if let configuration = configurations[configKind] { try append(configuration, time: time, kind: configKind, now: now) }
            }
        }
        if let kind, [.videoConfig, .audioConfig, .metadata].contains(kind) { configurations[kind] = frame }
        if kind == .audioSync { lastAudioSync = time }
        try append(frame, time: time, kind: kind, now: now)
        lastTime = max(lastTime, time)
        try commitIfDue(now: now)
    }

    /// Recording time of an extended publisher timestamp. Frames slightly before the mapping's
    /// first one (audio ahead of video) are clamped to its base.
    private static func time(of extended: UInt64, mapping: (firstTimestamp: UInt64, base: UInt64)) -> UInt64 {
        mapping.base + (extended >= mapping.firstTimestamp ? extended - mapping.firstTimestamp : 0)
    }

    private func recordKind(for frame: MediaFrame, time: UInt64) -> DVRIndexRecord.Kind? {
        switch frame.kind {
        case .scriptData: return .metadata
        case .video:
            if frame.isSequenceHeader { return .videoConfig }
            sessionHasVideo = true
            return frame.isVideoKeyframe ? .keyframe : nil
        case .audio:
            if frame.isSequenceHeader { return .audioConfig }
            guard !sessionHasVideo else { return nil }
            if let last = lastAudioSync, time < last + 1000 { return nil }
            return .audioSync
        }
    }

    private func append(_ frame: MediaFrame, time: UInt64, kind: DVRIndexRecord.Kind?, now: Date) throws {
        guard let segment else { return }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(DVRTag.encodedSize(frame))
        DVRTag.encode(frame, time: UInt32(truncatingIfNeeded: time), into: &buffer)
        let offset = segmentSize
        try segment.write(buffer)
        segmentSize += UInt64(buffer.readableBytes)
        bytesWritten += UInt64(buffer.readableBytes)
        dirty = true
        if let kind { try appendRecord(kind, offset: offset, time: time, now: now) }
    }

    /// Commits (fsync segment, then index, then a commit record) when the interval has passed.
    @discardableResult
    public func commitIfDue(now: Date) throws -> Bool {
        guard dirty, now.timeIntervalSince(lastCommit) >= options.commitInterval else { return false }
        try commit(now: now)
        return true
    }

    /// Makes everything written so far durable.
    public func commit(now: Date) throws {
        try segment?.sync()
        try appendRecord(.commit, time: lastTime, now: now)
        try index.sync()
        dirty = false
        lastCommit = now
    }

    /// Stops recording: a `closed` record, everything synced, files closed.
    public func close(now: Date) throws {
        try appendRecord(.closed, time: lastTime, now: now)
        try segment?.sync()
        try index.sync()
        try segment?.close()
        try index.close()
        segment = nil
    }
}

/// Extends 32-bit RTMP millisecond timestamps (which wrap after ~49.7 days) to 64 bits.
struct TimestampExtender {
    private var last: UInt32?
    private var high: UInt64 = 0

    mutating func extend(_ timestamp: UInt32) -> UInt64 {
        if let last {
            // A jump back of more than half the range is a wrap, a jump forward of more than half
            // is a late frame from before a wrap.
            if timestamp < last, last - timestamp > UInt32.max / 2 { high += 1 << 32 }
            else if timestamp > last, timestamp - last > UInt32.max / 2, high > 0 { return high - (1 << 32) + UInt64(timestamp) }
        }
        last = timestamp
        return high + UInt64(timestamp)
    }
}
