import FLV
import Foundation
import NIOCore
import Recording

/// A DVR recording directory as found on disk after a crash, a power loss or tampering: the input
/// holds `recording.json`, `index.dvx` and the segment files, separated by `FuzzInput.separator`.
/// The recording is opened with repair (as the writer does on restart), sought and read to the end.
enum DVRFuzzing {
    static let directory = "/media/dvr/live"

    static func run(_ bytes: [UInt8]) {
        let parts = FuzzInput.parts(bytes)
        let files = FuzzDVRFileSystem()
        files.setBytes(directory + "/" + DVRName.infoFile, parts[0])
        if parts.count > 1 { files.setBytes(directory + "/" + DVRName.indexFile, parts[1]) }
        for (number, segment) in parts.dropFirst(2).prefix(8).enumerated() {
            files.setBytes(directory + "/" + DVRName.segmentFile(UInt32(number)), segment)
        }
        _ = DVRIndexRecord.decodeAll(ByteBuffer(bytes: parts.count > 1 ? parts[1] : []))
        guard let recording = try? DVRRecording.open(files: files, directory: directory, repair: true) else { return }
        _ = recording.isLive(now: Date(timeIntervalSince1970: 1_800_000_000))
        _ = recording.lastWrittenAt
        for time in [0, recording.startTime, recording.endTime / 2, recording.endTime, UInt64.max] {
            _ = recording.seekPoint(at: time)
        }
        guard var cursor = recording.frames(from: recording.startTime) else { return }
        for _ in 0..<10_000 {
            guard let frame = try? cursor.next() else { return }
            switch frame.kind {
            case .video: MediaFuzzing.video(frame.payload)
            case .audio: MediaFuzzing.audio(frame.payload)
            case .scriptData: break
            }
        }
    }
}
