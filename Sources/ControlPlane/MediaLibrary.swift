import AdminAPI
import FLV
import Foundation
import HighlightExport
import ISOBMFF
import NIOConcurrencyHelpers
import NIOCore
import Recording

/// The control plane's `MediaLibraryProvider`: `<media>/sources/` and `<media>/exports/` listed
/// with what each file's header says. Each file is read once and cached by (mtime, size), so a
/// listing of thousands of unchanged files costs one `stat` each.
public final class MediaLibrary: MediaLibraryProvider, @unchecked Sendable {
    public let mediaRoot: String
    private let lock = NIOLock()
    private var cache: [String: (stamp: Stamp, info: MediaFileDTO)] = [:]

    private struct Stamp: Equatable {
        var modified: Date
        var size: UInt64
    }

    public init(mediaRoot: String) { self.mediaRoot = mediaRoot }

    public func sources() -> [MediaFileDTO] { list(mediaRoot + "/sources") }
    public func outputs() -> [MediaFileDTO] { list(mediaRoot + "/exports") }

    private func list(_ directory: String) -> [MediaFileDTO] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        let root = MediaRootPath(directory)
        return names.compactMap { name -> MediaFileDTO? in
            let lower = name.lowercased()
            // Hidden names (and temporary names of exports still being written) are not listed.
            guard !name.hasPrefix("."), [".mp4", ".f4v", ".m4v", ".flv"].contains(where: { lower.hasSuffix($0) }) else { return nil }
            let path = directory + "/" + name
            let format = lower.hasSuffix(".flv") ? "flv" : "mp4"
            // Listed, so the operator sees it, but never opened: it could not be exported or played.
            if let problem = Self.refusal(name: name, path: path, root: root) {
                return MediaFileDTO(name: name, format: format, duration: nil, codecs: [], width: nil, height: nil, size: 0, error: problem)
            }
            // A symbolic link inside the media root is described by what it points at.
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: LocalDVRFileSystem().resolvedPath(path) ?? path),
                  attributes[.type] as? FileAttributeType == .typeRegular,
                  let modified = attributes[.modificationDate] as? Date,
                  let size = (attributes[.size] as? NSNumber)?.uint64Value else { return nil }
            let stamp = Stamp(modified: modified, size: size)
            if let cached = lock.withLock({ cache[path] }), cached.stamp == stamp { return cached.info }
            let info = format == "flv" ? Self.describeFLV(path: path, name: name, size: size)
                : Self.describeMP4(path: path, name: name, size: size)
            lock.withLock { cache[path] = (stamp, info) }
            return info
        }
    }

    /// Why a directory entry is refused: a name that is not a plain file name, or a path that
    /// (symbolic links resolved) leaves the media root. Nil when it may be read.
    static func refusal(name: String, path: String, root: MediaRootPath) -> String? {
        do { try MediaFileName.check(name) } catch { return "refused: \(error)" }
        guard root.contains(path) else { return "refused: a symbolic link leading outside \(root.root) (or a dangling one)" }
        return nil
    }

    static func describeMP4(path: String, name: String, size: UInt64) -> MediaFileDTO {
        do {
            let movie = try MP4Reader().read(FileSystemByteReader(files: LocalDVRFileSystem(), path: path, size: size))
            let video = movie.firstTrack(.video)
            var codecs: [String] = []
            for track in movie.tracks {
                for description in track.sampleDescriptions {
                    let codec: String
                    switch description {
                    case .avc: codec = "h264"
                    case .aac: codec = "aac"
                    case .codec(let entry): codec = entry.codecName
                    case .unsupported(let fourCC): codec = "\(fourCC)"
                    }
                    if !codecs.contains(codec) { codecs.append(codec) }
                }
            }
            return MediaFileDTO(name: name, format: "mp4", duration: movie.seconds, codecs: codecs,
                                width: video.map { Int($0.width) }, height: video.map { Int($0.height) }, size: size)
        } catch {
            return MediaFileDTO(name: name, format: "mp4", duration: nil, codecs: [], width: nil, height: nil, size: size, error: "\(error)")
        }
    }

    /// FLV: codecs and picture size from the first tags, duration from the last tag (found through
    /// the file's final PreviousTagSize), so only the two ends of the file are read.
    static func describeFLV(path: String, name: String, size: UInt64) -> MediaFileDTO {
        let files = LocalDVRFileSystem()
        var codecs: [String] = []
        var width: Int?
        var height: Int?
        var duration: Double?
        var problem: String?
        if var head = try? files.readFile(path, offset: 0, length: 256 << 10), head.readableBytes > DVRTag.fileHeader.count {
            head.moveReaderIndex(forwardBy: DVRTag.fileHeader.count)
            var first: UInt32?
            for _ in 0..<64 {
                guard case .tag(let frame, let tagSize) = DVRTag.parse(head) else { break }
                head.moveReaderIndex(forwardBy: tagSize)
                if frame.kind != .scriptData, first == nil { first = frame.timestamp }
                if let description = SampleDescription(sequenceHeader: frame) {
                    switch description {
                    case .avc(let entry):
                        if !codecs.contains("h264") { codecs.append("h264") }
                        width = Int(entry.width); height = Int(entry.height)
                        // The record reads but its SPS does not (0x0): say so rather than list a size.
                        if entry.width == 0 || entry.height == 0 { problem = "the H.264 sequence parameter set cannot be read" }
                    case .aac:
                        if !codecs.contains("aac") { codecs.append("aac") }
                    case .codec(let entry):
                        if !codecs.contains(entry.codecName) { codecs.append(entry.codecName) }
                        if entry.kind == .video, entry.width > 0 { width = Int(entry.width); height = Int(entry.height) }
                    case .unsupported: break
                    }
                }
            }
            if size > 4, let tail = try? files.readFile(path, offset: size - 4, length: 4),
               let previous = tail.getInteger(at: tail.readerIndex, as: UInt32.self), UInt64(previous) + 4 <= size, previous >= 11,
               let last = try? files.readFile(path, offset: size - 4 - UInt64(previous), length: Int(previous) + 4),
               case .tag(let frame, _) = DVRTag.parse(last) {
                duration = Double(frame.timestamp &- (first ?? 0)) / 1000
            }
        }
        return MediaFileDTO(name: name, format: "flv", duration: duration, codecs: codecs, width: width, height: height, size: size,
                            error: codecs.isEmpty ? "no H.264 or AAC sequence header in the first tags" : problem)
    }
}
