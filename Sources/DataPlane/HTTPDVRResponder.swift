import Foundation
import HTTPMedia
import NIOCore
import Recording

/// DVR rewind over HTTP: the `EVENT` playlist from a recording's index and its segments cut on
/// demand by remux from the recording. Blocking file reads: call it from a thread pool.
struct HTTPDVRResponder: Sendable {
    let library: VODLibrary
    /// Longest segment a request may ask to cut (milliseconds).
    static let longestSegment: UInt64 = 120_000

    private func recording(_ stream: String) -> DVRRecording? {
        let store = DVRStore(files: library.files, mediaRoot: library.mediaRoot)
        guard let directory = store.directory(forStream: stream), library.isInsideMediaRoot(directory) else { return nil }
        return store.recording(stream: stream)
    }

    /// The playlist text; nil when the stream has no recording. `start` is the `?start=` value.
    func playlist(stream: String, start: String?) -> String? {
        guard let recording = recording(stream) else { return nil }
        let playlist = DVRPlaylist(index: recording.index, firstSegment: recording.segments.first?.number ?? 0,
                                   startedAt: recording.info.startedAt, endTime: recording.endTime,
                                   isLive: recording.isLive(now: Date()))
        return playlist.render(startOffset: start.flatMap { playlist.startOffset($0) })
    }

    /// The initialization segment of the recording (from its first seek point's configurations).
    func initialization(stream: String) throws -> ByteBuffer? {
        guard let recording = recording(stream), var cursor = recording.frames(from: recording.startTime) else { return nil }
        var muxer = FMP4Muxer()
        for _ in 0..<10_000 {
            guard let frame = try cursor.next() else { return nil }
            for output in muxer.append(frame) {
                if case .initialization(let bytes, _) = output { return bytes }
            }
        }
        return nil
    }

    /// The frames of recording time [start, end) as one fMP4 segment (several fragments).
    func segment(stream: String, start: UInt64, end: UInt64) throws -> ByteBuffer? {
        guard end > start, end - start <= Self.longestSegment, let recording = recording(stream),
              var cursor = recording.frames(from: start) else { return nil }
        var muxer = FMP4Muxer(configuration: .init(partTarget: 3600, segmentTarget: 3600))
        var out = ByteBuffer()
        func take(_ outputs: [FMP4Muxer.Output]) {
            for case .part(var part) in outputs { out.writeBuffer(&part.bytes) }
        }
        while let frame = try cursor.next() {
            let time = UInt64(frame.timestamp)
            if frame.kind != .scriptData, time >= end {
                // Audio a little behind the next keyframe may still follow it in the file.
                if time >= end + 1000 { break }
                continue
            }
            if frame.kind != .scriptData, time < start, !frame.isSequenceHeader { continue }
            take(muxer.append(frame))
        }
        take(muxer.flush(endingAt: end))
        return out.readableBytes > 0 ? out : nil
    }
}
