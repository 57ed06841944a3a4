import FLV
import Foundation
import NIOCore

/// A recording opened for reading (listing, seeking, exporting, playback), possibly while a writer
/// still appends to it. Opening reads `recording.json`, the index and at most the tail of the
/// last segment after its last index record — never the media before it.
public struct DVRRecording: Sendable {
    /// One segment file present on disk.
    public struct Segment: Sendable, Equatable {
        public var number: UInt32
        public var bytes: UInt64
    }

    public let directory: String
    public let info: DVRRecordingInfo
    public let index: DVRIndex
    /// Segments present on disk, ascending (retention removes the oldest).
    public let segments: [Segment]
    /// Recording time of the last complete frame (0 when empty).
    public let endTime: UInt64
    /// Wall-clock seconds since the start when the index was last written.
    public let lastWrittenSeconds: UInt32
    private let files: any DVRFileSystem

    public var stream: String { info.stream }
    public var isClosed: Bool { index.isClosed }
    /// Bytes of media on disk.
    public var bytes: UInt64 { segments.reduce(0) { $0 + $1.bytes } }
    /// Earliest recording time still on disk.
    public var startTime: UInt64 {
        guard let first = segments.first else { return endTime }
        return index.firstTime(inSegment: first.number) ?? 0
    }
    /// Wall-clock time of the last index write.
    public var lastWrittenAt: Date { info.startedAt.addingTimeInterval(TimeInterval(lastWrittenSeconds)) }

    /// True when the recording looks live: not closed and written within `window` seconds of `now`.
    public func isLive(now: Date, window: TimeInterval = 5) -> Bool {
        !isClosed && now.timeIntervalSince(lastWrittenAt) <= window
    }

    /// Opens the recording in `directory`. With `repair`, torn tails of the index and the last
    /// segment are truncated to their last complete record/tag (only a writer may repair).
    public static func open(files: any DVRFileSystem, directory: String, repair: Bool = false) throws -> DVRRecording {
        let infoPath = directory + "/" + DVRName.infoFile
        guard let infoSize = files.fileSize(infoPath), infoSize < 1 << 16,
              let info = DVRRecordingInfo.decode(Data(try files.readFile(infoPath, offset: 0, length: Int(infoSize)).readableBytesView))
        else { throw DVRError.notARecording(directory) }

        let indexPath = directory + "/" + DVRName.indexFile
        let indexSize = files.fileSize(indexPath) ?? 0
        let (decoded, validLength) = DVRIndexRecord.decodeAll(
            indexSize == 0 ? ByteBuffer() : try files.readFile(indexPath, offset: 0, length: Int(indexSize)))
        var records = decoded

        var segments: [Segment] = files.listDirectory(directory).compactMap { name in
            guard let number = DVRName.segmentNumber(fromFile: name) else { return nil }
            return Segment(number: number, bytes: files.fileSize(directory + "/" + name) ?? 0)
        }.sorted { $0.number < $1.number }

        var endTime = records.map(\.time).max() ?? 0
        var indexLength = UInt64(validLength)
        if let last = segments.last {
            let path = directory + "/" + DVRName.segmentFile(last.number)
            let inLast = records.filter { $0.segment == last.number }
            // Walk from the last point the index vouches for to the last complete tag.
            let from = max(UInt64(DVRTag.fileHeader.count), inLast.map(\.offset).max() ?? 0)
            let tail = try walkTail(files: files, path: path, from: min(from, last.bytes), size: last.bytes)
            endTime = max(endTime, tail.lastTime ?? 0)
            if tail.validEnd < last.bytes {
                if repair { try files.truncateFile(path, to: tail.validEnd) }
                segments[segments.count - 1].bytes = tail.validEnd
            }
            // Records pointing past the valid data (possible only after a power loss) are dropped.
            if let firstBad = records.firstIndex(where: { $0.segment == last.number && $0.offset > tail.validEnd }) {
                records.removeSubrange(firstBad...)
                indexLength = UInt64(firstBad * DVRIndexRecord.size)
                endTime = max(records.map(\.time).max() ?? 0, min(endTime, tail.lastTime ?? 0))
            }
        }
        if repair, indexLength < indexSize { try files.truncateFile(indexPath, to: indexLength) }
        return DVRRecording(directory: directory, info: info, index: DVRIndex(records: records), segments: segments,
                            endTime: endTime, lastWrittenSeconds: records.last?.wallSeconds ?? 0, files: files)
    }

    private static func walkTail(files: any DVRFileSystem, path: String, from: UInt64, size: UInt64)
        throws -> (validEnd: UInt64, lastTime: UInt64?) {
        var position = from
        var lastTime: UInt64?
        var pending = ByteBuffer()
        var readPosition = from
        while true {
            switch DVRTag.parse(pending) {
            case .tag(let frame, let tagSize):
                pending.moveReaderIndex(forwardBy: tagSize)
                position += UInt64(tagSize)
                lastTime = max(lastTime ?? 0, UInt64(frame.timestamp))
            case .invalid:
                return (position, lastTime)
            case .incomplete:
                guard readPosition < size else { return (position, lastTime) }
                var chunk = try files.readFile(path, offset: readPosition, length: 1 << 20)
                guard chunk.readableBytes > 0 else { return (position, lastTime) }
                readPosition += UInt64(chunk.readableBytes)
                pending.discardReadBytes()
                pending.writeBuffer(&chunk)
            }
        }
    }

    /// The seek point for recording time `time` among the segments still on disk.
    public func seekPoint(at time: UInt64) -> DVRSeekPoint? {
        guard let first = segments.first else { return nil }
        return index.seekPoint(at: time, firstSegment: first.number)
    }

    /// A cursor over the frames needed to show `time` onwards: configurations first, then every
    /// frame from the seek point. Frames carry recording time as their timestamp.
    public func frames(from time: UInt64) -> DVRFrameCursor? {
        guard let seek = seekPoint(at: time) else { return nil }
        return DVRFrameCursor(files: files, directory: directory, configurations: seek.configurations, start: seek.start)
    }
}

/// Reads frames from a recording in order, across segments, in 1 MiB reads. Stops (returns nil)
/// at the end of what is on disk; call `next()` again later to continue while the recording grows.
public struct DVRFrameCursor {
    private let files: any DVRFileSystem
    private let directory: String
    private var configurations: [DVRPosition]
    private var position: DVRPosition
    private var buffer = ByteBuffer()

    init(files: any DVRFileSystem, directory: String, configurations: [DVRPosition], start: DVRPosition) {
        self.files = files
        self.directory = directory
        self.configurations = configurations
        position = start
    }

    /// Position of the next frame.
    public var nextPosition: DVRPosition { position }

    public mutating func next() throws -> MediaFrame? {
        if !configurations.isEmpty {
            let configuration = configurations.removeFirst()
            let path = directory + "/" + DVRName.segmentFile(configuration.segment)
            let header = try files.readFile(path, offset: configuration.offset, length: DVRTag.headerSize)
            guard let sizeBytes = header.getBytes(at: header.readerIndex + 1, length: 3) else { return try next() }
            let size = DVRTag.headerSize + (Int(sizeBytes[0]) << 16 | Int(sizeBytes[1]) << 8 | Int(sizeBytes[2])) + 4
            if case .tag(let frame, _) = DVRTag.parse(try files.readFile(path, offset: configuration.offset, length: size)) { return frame }
            return try next()
        }
        // Bounded: at most one segment switch and one read before a tag is complete.
        for _ in 0..<4 {
            switch DVRTag.parse(buffer) {
            case .tag(let frame, let size):
                buffer.moveReaderIndex(forwardBy: size)
                position.offset += UInt64(size)
                return frame
            case .invalid:
                return nil
            case .incomplete:
                let path = directory + "/" + DVRName.segmentFile(position.segment)
                let fileSize = files.fileSize(path) ?? 0
                let readFrom = position.offset + UInt64(buffer.readableBytes)
                if readFrom < fileSize {
                    var chunk = try files.readFile(path, offset: readFrom, length: max(1 << 20, DVRTag.headerSize + DVRTag.maxDataSize + 4 - buffer.readableBytes))
                    buffer.discardReadBytes()
                    buffer.writeBuffer(&chunk)
                } else if buffer.readableBytes == 0, files.fileSize(directory + "/" + DVRName.segmentFile(position.segment + 1)) != nil {
                    // This segment is complete (a later one exists): go on with the next one.
                    position = DVRPosition(segment: position.segment + 1, offset: UInt64(DVRTag.fileHeader.count))
                    buffer = ByteBuffer()
                } else {
                    return nil
                }
            }
        }
        return nil
    }
}
