import Foundation
import HTTPMedia
import NIOCore
import NIOHTTP1
import NIOPosix
import Recording

/// Files under the media root (`/vod/exports/NAME`, `/vod/sources/NAME`) with HEAD, Range (206),
/// ETag and Last-Modified, read in 1 MiB pieces off the event loops and written with
/// back-pressure (the next read waits for the previous write).
struct HTTPFileResponder: Sendable {
    let library: VODLibrary
    let threadPool: NIOThreadPool

    /// What a file request resolves to.
    struct Resolved: Sendable {
        var path: String
        var size: UInt64
        var modified: Date
    }

    /// The file `directory/name` when it is a regular file inside the media root.
    func resolve(directory: String, name: String) -> Resolved? {
        let path = library.mediaRoot + "/" + directory + "/" + name
        guard library.isInsideMediaRoot(path),
              let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular,
              let size = (attributes[.size] as? NSNumber)?.uint64Value else { return nil }
        return Resolved(path: path, size: size, modified: attributes[.modificationDate] as? Date ?? Date(timeIntervalSince1970: 0))
    }

    static func contentType(_ name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "mp4", "f4v", "m4v": return "video/mp4"
        case "mov": return "video/quicktime"
        case "flv": return "video/x-flv"
        default: return "application/octet-stream"
        }
    }

    /// Streams bytes `range` of `path` to `channel`, then ends the response (and closes the
    /// connection unless it is kept alive).
    func send(path: String, range: ClosedRange<UInt64>, to channel: any Channel, keepAlive: Bool) async {
        var offset = range.lowerBound
        do {
            while offset <= range.upperBound {
                let length = Int(min(UInt64(1 << 20), range.upperBound - offset + 1))
                let files = library.files
                let position = offset
                let chunk = try await threadPool.runIfActive { try files.readFile(path, offset: position, length: length) }
                guard chunk.readableBytes > 0 else { break }
                try await channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(chunk))).get()
                offset += UInt64(chunk.readableBytes)
            }
            if offset <= range.upperBound {
                // The file shrank under us: the response cannot be completed.
                try? await channel.close()
                return
            }
            try await channel.writeAndFlush(HTTPServerResponsePart.end(nil)).get()
            if !keepAlive { try? await channel.close() }
        } catch {
            try? await channel.close()
        }
    }
}
