import Foundation
import Testing
@testable import Recording

/// Names from the network that cannot name a file under the media root are refused, each with
/// its own reason (issue 9: a name with a NUL byte was accepted).
@Suite struct MediaFileNameTests {
    @Test func oddNamesAreRefusedWithTheirReason() {
        let cases: [(String, MediaFileName.Problem)] = [
            ("", .empty),
            ("clip\u{0}.flv", .controlCharacter),
            ("clip\n.flv", .controlCharacter),
            ("clip\u{7F}.flv", .controlCharacter),
            ("../etc/passwd", .pathSeparator),
            ("/etc/passwd", .pathSeparator),
            ("a\\b.mp4", .pathSeparator),
            ("..", .dotDot),
            ("a..flv", .dotDot),
            (".hidden.mp4", .hidden),
            (String(repeating: "x", count: 252) + ".mp4", .tooLong(bytes: 256, limit: 255)),
        ]
        for (name, problem) in cases {
            #expect(throws: problem, "\(name.debugDescription)") { try MediaFileName.check(name) }
        }
        #expect(throws: Never.self) { try MediaFileName.check("opener.mp4") }
        #expect(throws: Never.self) { try MediaFileName.check("Tor! ⚽️ 1-0.flv") }
        #expect(throws: MediaFileName.Problem.controlCharacter) { try MediaFileName.checkStream("live\u{0}") }
        #expect(throws: Never.self) { try MediaFileName.checkStream("cam/../1") }
        #expect(throws: MediaFileName.Problem.tooLong(bytes: 201, limit: 200)) { try MediaFileName.checkStream(String(repeating: "s", count: 201)) }
    }

    @Test func symbolicLinksLeavingTheDirectoryAreOutside() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("media-root-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let manager = FileManager.default
        try manager.createDirectory(atPath: base + "/media/sources", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: base + "/elsewhere", withIntermediateDirectories: true)
        _ = manager.createFile(atPath: base + "/elsewhere/secret.flv", contents: Data([1]))
        _ = manager.createFile(atPath: base + "/media/sources/real.flv", contents: Data([1]))
        try manager.createSymbolicLink(atPath: base + "/media/sources/escape.flv", withDestinationPath: base + "/elsewhere/secret.flv")
        try manager.createSymbolicLink(atPath: base + "/media/sources/alias.flv", withDestinationPath: "real.flv")
        try manager.createSymbolicLink(atPath: base + "/media/sources/dangling.flv", withDestinationPath: "nothing.flv")
        let sources = MediaRootPath(base + "/media/sources")
        #expect(sources.contains(base + "/media/sources/real.flv"))
        #expect(sources.contains(base + "/media/sources/alias.flv"))
        #expect(!sources.contains(base + "/media/sources/escape.flv"))
        #expect(!sources.contains(base + "/media/sources/dangling.flv"))
        #expect(!sources.contains(base + "/media/sources/../../elsewhere/secret.flv"))
        // The directory itself may be a link (to another disk): entries are checked against its target.
        try manager.createSymbolicLink(atPath: base + "/linked", withDestinationPath: base + "/media/sources")
        #expect(MediaRootPath(base + "/linked").contains(base + "/linked/real.flv"))

        // The recorder does not write through a recording directory linked out of dvr/.
        try manager.createDirectory(atPath: base + "/media/dvr", withIntermediateDirectories: true)
        try manager.createSymbolicLink(atPath: base + "/media/dvr/live", withDestinationPath: base + "/elsewhere")
        #expect(throws: DVRError.self) { try DVRWriter(files: LocalDVRFileSystem(), mediaRoot: base + "/media", stream: "live", now: Date()) }
        #expect(manager.fileExists(atPath: base + "/elsewhere/recording.json") == false)
        _ = try DVRWriter(files: LocalDVRFileSystem(), mediaRoot: base + "/media", stream: "other", now: Date())
    }
}
