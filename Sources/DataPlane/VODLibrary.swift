import Foundation
import HighlightExport
import Recording

/// Opens what a VOD play name points at under the media root: an exported or on-demand file, or
/// a DVR recording. Called off the event loops (it reads the files' indexes). Besides the checks
/// of `VODName`, the resolved path must stay under the media root, so a symbolic link cannot
/// lead a player out of it.
struct VODLibrary: Sendable {
    let mediaRoot: String
    let files: any DVRFileSystem

    /// The source for `name`; nil when there is no such file or recording under the media root.
    func open(_ name: VODName) throws -> (any ExportSampleSource)? {
        switch name.location {
        case .file(let candidates):
            for relative in candidates {
                let path = mediaRoot + "/" + relative
                guard files.fileSize(path) != nil else { continue }
                guard isInsideMediaRoot(path) else { return nil }
                return try MediaFileSource.open(files: files, path: path)
            }
            return nil
        case .recording(let stream):
            let store = DVRStore(files: files, mediaRoot: mediaRoot)
            guard let directory = store.directory(forStream: stream), isInsideMediaRoot(directory),
                  let recording = store.recording(stream: stream) else { return nil }
            return try DVRExportSource(recording: recording, files: files)
        }
    }

    /// True when `path` (symbolic links resolved) lies under the media root (resolved too).
    func isInsideMediaRoot(_ path: String) -> Bool { MediaRootPath(mediaRoot, files: files).contains(path) }
}
