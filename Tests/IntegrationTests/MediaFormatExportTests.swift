import Foundation
import Testing

/// Live checks of the F4V files our export engine writes (through `lsc-export`), with clips made
/// by ffmpeg and the output checked by ffprobe and ffmpeg's decoder.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct MediaFormatExportTests {
    /// Makes an H.264 (with B-frames) + AAC MP4 of `seconds` at 25 fps with a keyframe every second.
    static func makeClip(_ path: String, size: String = "320x240", seconds: Int = 8, audioRate: Int = 48000,
                         channels: Int = 2, preset: String = "veryfast") throws {
        let result = try Tools.run("ffmpeg", [
            "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=25:duration=\(seconds)",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=\(audioRate):duration=\(seconds)",
            "-c:v", "libx264", "-preset", preset, "-g", "25", "-bf", "2", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-ac", "\(channels)", "-b:a", "64k", "-shortest", path,
        ], timeout: 60)
        #expect(result.status == 0, "ffmpeg: \(result.stderr)")
    }

    /// The MD5 of every decoded video frame, in presentation order.
    static func frameHashes(_ path: String) throws -> [String] {
        let result = try Tools.run("ffmpeg", ["-v", "error", "-i", path, "-map", "0:v", "-autoscale", "0", "-f", "framemd5", "-"],
                                   timeout: 60)
        #expect(result.status == 0)
        return result.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap {
            $0.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    /// Top-level box types of an ISO BMFF file, in order.
    static func topLevelBoxes(_ path: String) throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var boxes: [String] = []
        var offset = 0
        while offset + 8 <= data.count, boxes.count < 100 {
            var size = data[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            boxes.append(String(decoding: data[offset + 4..<offset + 8], as: UTF8.self))
            if size == 1, offset + 16 <= data.count { size = data[offset + 8..<offset + 16].reduce(0) { $0 << 8 | Int($1) } }
            guard size >= 8 else { break }
            offset += size
        }
        return boxes
    }

    static func export(_ output: String, _ items: [String]) throws -> ToolResult {
        try Tools.run(Binaries.path("lsc-export"), ["-o", output] + items, timeout: 60)
    }

    static func probe(_ path: String, _ entries: String) throws -> String {
        try Tools.run("ffprobe", ["-v", "error", "-show_entries", entries, "-of", "default=nw=1:nk=1", path], timeout: 20).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func twoItemsFromOneClipAreFrameAccurateWithMovieBeforeMediaData() throws {
        let dir = TestDirectory.make("export")
        let source = dir.appendingPathComponent("source.mp4").path
        let output = dir.appendingPathComponent("highlight.f4v").path
        try Self.makeClip(source)
        // 1.3 s lies inside frame 32 (1.28 s); 5.0 s is frame 125. Out-points 2.9 s and 6.5 s.
        let result = try Self.export(output, ["\(source):1.3:2.9", "\(source):5.0:6.5"])
        #expect(result.status == 0, "lsc-export: \(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: output))
        #expect(!FileManager.default.fileExists(atPath: output + ".partial"))

        let boxes = try Self.topLevelBoxes(output)
        #expect(boxes.first == "ftyp")
        let moov = try #require(boxes.firstIndex(of: "moov"))
        let mdat = try #require(boxes.firstIndex(of: "mdat"))
        #expect(moov < mdat)
        #expect(try Self.probe(output, "format_tags=major_brand") == "f4v")
        #expect(try Self.probe(output, "format=format_name").contains("mp4"))
        let duration = try #require(Double(Self.probe(output, "format=duration")))
        #expect(abs(duration - (1.6 + 1.5)) <= 2 * 0.04, "duration \(duration)")

        let decode = try Tools.run("ffmpeg", ["-v", "error", "-i", output, "-f", "null", "-"], timeout: 60)
        #expect(decode.status == 0)
        #expect(decode.stderr.isEmpty, "decode errors: \(decode.stderr)")

        // Frame-exact: the output shows source frames 32...72 then 125...162, nothing else.
        let sourceFrames = try Self.frameHashes(source)
        let outputFrames = try Self.frameHashes(output)
        #expect(sourceFrames.count == 200)
        #expect(outputFrames == Array(sourceFrames[32...72] + sourceFrames[125...162]))
    }

    @Test func joinOfClipsWithDifferentParametersDecodesWithoutErrors() throws {
        let dir = TestDirectory.make("export-join")
        let first = dir.appendingPathComponent("a.mp4").path
        let second = dir.appendingPathComponent("b.mp4").path
        let output = dir.appendingPathComponent("join.f4v").path
        try Self.makeClip(first)
        // Another resolution, encoder settings (CAVLC) and AAC configuration.
        try Self.makeClip(second, size: "640x360", seconds: 4, audioRate: 44100, channels: 1, preset: "ultrafast")
        let result = try Self.export(output, ["\(first):1.3:2.9", "\(second):0.5:2.0", "\(first):6:7"])
        #expect(result.status == 0, "lsc-export: \(result.stderr)")

        // Two sample descriptions per track: two avcC and two esds boxes in moov.
        let data = try Data(contentsOf: URL(fileURLWithPath: output))
        #expect(data.ranges(of: Data("avcC".utf8)).count == 2)
        #expect(data.prefix(4096).ranges(of: Data("esds".utf8)).count == 2)

        let decode = try Tools.run("ffmpeg", ["-v", "error", "-i", output, "-f", "null", "-"], timeout: 60)
        #expect(decode.status == 0)
        // ffmpeg 5.1 reinitialises its H.264 decoder at a resolution change and may then emit one
        // frame with the previous frame's timestamp, which its null muxer reports; that line is
        // not a decoding error. Everything else must be silent.
        let errors = decode.stderr.split(separator: "\n").filter { !$0.contains("non monotonically increasing dts") }
        #expect(errors.isEmpty, "decode errors: \(errors)")
        let duration = try #require(Double(Self.probe(output, "format=duration")))
        #expect(abs(duration - (1.6 + 1.5 + 1.0)) <= 3 * 0.04, "duration \(duration)")

        let a = try Self.frameHashes(first)
        let b = try Self.frameHashes(second)
        let outputFrames = try Self.frameHashes(output)
        // Items 1 and 2 exactly; after the switch back, the first frame may be the one dropped by
        // ffmpeg's muxer as above.
        #expect(Array(outputFrames.prefix(41 + 38)) == Array(a[32...72] + b[12...49]))
        let third = Array(outputFrames.dropFirst(41 + 38))
        #expect(third == Array(a[150...174]) || third == Array(a[151...174]), "third item: \(third.count) frames")
    }
}
