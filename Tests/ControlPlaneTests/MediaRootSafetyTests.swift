import AdminAPI
import Foundation
import Recording
import Testing
@testable import ControlPlane

/// Listing never opens what a name or a link must not reach (issue 9: a symbolic link in
/// `sources/` pointing outside the media root was exported).
@Suite struct MediaRootSafetyTests {
    @Test func linksOutOfTheirDirectoryAndOddNamesAreListedAsRefused() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("media-safety-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let manager = FileManager.default
        try manager.createDirectory(atPath: base + "/media/sources", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: base + "/media/dvr", withIntermediateDirectories: true)
        _ = manager.createFile(atPath: base + "/outside.flv", contents: Data("FLV".utf8))
        _ = manager.createFile(atPath: base + "/media/sources/inside.flv", contents: Data("FLV".utf8))
        _ = manager.createFile(atPath: base + "/media/sources/bad\u{1}name.flv", contents: Data("FLV".utf8))
        _ = manager.createFile(atPath: base + "/media/sources/.hidden.flv", contents: Data("FLV".utf8))
        try manager.createSymbolicLink(atPath: base + "/media/sources/escape.flv", withDestinationPath: base + "/outside.flv")
        try manager.createSymbolicLink(atPath: base + "/media/sources/alias.flv", withDestinationPath: "inside.flv")

        let files = MediaLibrary(mediaRoot: base + "/media").sources()
        #expect(files.map(\.name) == ["alias.flv", "bad\u{1}name.flv", "escape.flv", "inside.flv"], "hidden files are not listed")
        let byName = Dictionary(uniqueKeysWithValues: files.map { ($0.name, $0) })
        #expect(byName["escape.flv"]?.error?.contains("symbolic link") == true)
        #expect(byName["bad\u{1}name.flv"]?.error?.contains("control character") == true)
        #expect(byName["alias.flv"]?.error?.contains("refused") != true, "a link inside sources/ is read like its target")
        #expect(byName["alias.flv"]?.size == 3)

        // A recording directory linked from elsewhere is not a recording of this node.
        let elsewhere = base + "/elsewhere-dvr/live"
        try manager.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        let writer = try DVRWriter(files: LocalDVRFileSystem(), mediaRoot: base + "/elsewhere-root", stream: "live", now: Date())
        try writer.startSession(now: Date())
        try writer.close(now: Date())
        try manager.createSymbolicLink(atPath: base + "/media/dvr/live", withDestinationPath: base + "/elsewhere-root/dvr/live")
        let store = DVRStore(files: LocalDVRFileSystem(), mediaRoot: base + "/media")
        #expect(store.recordings().isEmpty)
        #expect(store.recording(stream: "live") == nil)
        #expect(DVRStore(files: LocalDVRFileSystem(), mediaRoot: base + "/elsewhere-root").recording(stream: "live") != nil)
    }
}
