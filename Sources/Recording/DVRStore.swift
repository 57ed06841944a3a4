import Foundation

/// All recordings under `<media>/dvr/`: listing and retention. Reads only `recording.json`, the
/// indexes and segment sizes.
public struct DVRStore: Sendable {
    public let mediaRoot: String
    private let files: any DVRFileSystem

    public init(files: any DVRFileSystem, mediaRoot: String) {
        self.files = files
        self.mediaRoot = mediaRoot
    }

    public var dvrDirectory: String { mediaRoot + "/" + DVRName.dvrDirectory }

    /// The directory of `stream`'s recording (whether or not it exists); nil for unusable names.
    public func directory(forStream stream: String) -> String? {
        DVRName.directoryName(forStream: stream).map { dvrDirectory + "/" + $0 }
    }

    /// Opens `stream`'s recording for reading; nil when there is none, or when its directory is a
    /// symbolic link leading out of `dvr/`.
    public func recording(stream: String) -> DVRRecording? {
        guard let directory = directory(forStream: stream), isInsideDVRDirectory(directory) else { return nil }
        return try? DVRRecording.open(files: files, directory: directory)
    }

    /// Every readable recording, by stream name (symbolic links leading out of `dvr/` skipped).
    public func recordings() -> [DVRRecording] {
        files.listDirectory(dvrDirectory).sorted().compactMap { name in
            let directory = dvrDirectory + "/" + name
            guard DVRName.streamName(forDirectory: name) != nil, isInsideDVRDirectory(directory) else { return nil }
            return try? DVRRecording.open(files: files, directory: directory)
        }
    }

    /// True when `directory` (symbolic links resolved) lies in `dvr/` (resolved too, so `dvr/`
    /// itself may be a link to another disk).
    public func isInsideDVRDirectory(_ directory: String) -> Bool {
        MediaRootPath(dvrDirectory, files: files).contains(directory)
    }

    /// Applies `retention`; `active` are the segments being written, by recording directory.
    /// Recordings left with no segment and not being written are removed. Returns what was removed.
    @discardableResult
    public func applyRetention(_ retention: DVRRetention, active: [String: UInt32], now: Date) -> [DVRRetention.Segment] {
        guard retention.maxAge != nil || retention.maxBytes != nil else { return [] }
        let all = recordings()
        var candidates: [DVRRetention.Segment] = []
        for recording in all {
            for (position, segment) in recording.segments.enumerated() {
                let isLast = position == recording.segments.count - 1
                let end = isLast ? recording.endTime : (recording.index.lastTime(inSegment: segment.number) ?? recording.endTime)
                candidates.append(.init(directory: recording.directory, number: segment.number, endedAt: recording.info.date(at: end),
                                        bytes: segment.bytes, isActive: active[recording.directory] == segment.number))
            }
        }
        let removed = retention.select(candidates, now: now)
        for segment in removed { try? files.removeItem(segment.directory + "/" + DVRName.segmentFile(segment.number)) }
        for recording in all where active[recording.directory] == nil {
            let left = recording.segments.filter { segment in !removed.contains { $0.directory == recording.directory && $0.number == segment.number } }
            if left.isEmpty { try? files.removeItem(recording.directory) }
        }
        return removed
    }
}
