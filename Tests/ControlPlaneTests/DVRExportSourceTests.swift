import FLV
import Foundation
import HighlightExport
import ISOBMFF
import NIOCore
import Recording
import Testing
@testable import ControlPlane


@Suite(.serialized) struct DVRExportSourceTests {
    let ffmpeg = ["/usr/bin/ffmpeg", "/usr/local/bin/ffmpeg"].first { FileManager.default.isExecutableFile(atPath: $0) }

    private func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A 6 s recording made from an ffmpeg FLV (320x240 H.264 at 25 fps, 1 s GOP, AAC).
    private func makeRecording(in root: URL, ffmpeg: String) throws -> DVRRecording {
        let flv = root.appendingPathComponent("source.flv").path
        let made = try run(ffmpeg, ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i",
                                    "sine=frequency=440:sample_rate=44100", "-t", "6", "-c:v", "libx264", "-preset", "ultrafast",
                                    "-g", "25", "-c:a", "aac", "-f", "flv", flv])
        try #require(made.status == 0, "\(made.output)")
        var bytes = ByteBuffer(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: flv))))
        bytes.moveReaderIndex(forwardBy: DVRTag.fileHeader.count)
        let files = LocalDVRFileSystem()
        let start = Date()
        let writer = try DVRWriter(files: files, mediaRoot: root.path, stream: "live", now: start)
        try writer.startSession(now: start)
        while case .tag(let frame, let size) = DVRTag.parse(bytes) {
            bytes.moveReaderIndex(forwardBy: size)
            try writer.write(frame, now: start)
        }
        try writer.close(now: start)
        return try #require(DVRStore(files: files, mediaRoot: root.path).recording(stream: "live"))
    }

    @Test func exportsTwoDVRRangesIntoOnePlayableF4V() throws {
        guard let ffmpeg else { return }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("dvr-export-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let recording = try makeRecording(in: root, ffmpeg: ffmpeg)
        let source = try DVRExportSource(recording: recording, files: LocalDVRFileSystem())
        let listed = DVRCatalog(mediaRoot: root.path, send: { _ in .ok() }).recordings()
        #expect(listed.map(\.stream) == ["live"])
        #expect(listed.first.map { abs($0.duration - 6) < 0.1 && !$0.live && $0.size > 0 } == true)
        #expect(source.tracks.map(\.kind) == [.video, .audio])
        guard case .avc(let avc) = source.tracks.first?.sampleDescriptions.first else { Issue.record("no AVC description"); return }
        #expect(avc.width == 320 && avc.height == 240)
        guard case .aac(let aac) = source.tracks.last?.sampleDescriptions.first else { Issue.record("no AAC description"); return }
        #expect(aac.sampleRate == 44100)
        #expect(!source.isLive)
        #expect(abs(source.availableDuration - 6) < 0.1)

        let video = try source.samples(track: 0, from: 2500, to: 3500)
        #expect(video.first?.isSync == true)
        #expect(video.first.map { $0.decodeTime <= 2500 && $0.decodeTime > 1500 } == true, "starts at the keyframe before the in-point")
        #expect(video.last.map { $0.decodeTime < 3500 } == true)

        // ffmpeg's FLV starts video 23 ms in (AAC priming): in/out points on that frame grid.
        let items = [HighlightItem(source: .dvr, name: "live", start: .seconds(1.023), end: .seconds(2.023)),
                     HighlightItem(source: .dvr, name: "live", start: .seconds(2.543), end: .seconds(4.023))]
        let resolved = try HighlightEditList.resolve(items) { _ in source }
        let plan = try ExportPlanner().plan(resolved)
        let output = root.appendingPathComponent("out.f4v")
        var sink = FileSink(file: try LocalDVRFileSystem().openForAppend(output.path))
        try HighlightExporter().export(plan, to: &sink)
        try sink.file.close()

        try? FileManager.default.removeItem(atPath: "/tmp/dvr-export-debug.f4v")
        try? FileManager.default.copyItem(atPath: output.path, toPath: "/tmp/dvr-export-debug.f4v")
        let format = try run("/usr/bin/ffprobe", ["-v", "error", "-show_entries", "format=format_name", "-of", "csv=p=0", output.path])
        #expect(format.output.contains("mp4"))
        let probe = try run("/usr/bin/ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", output.path])
        let duration = Double(probe.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(abs(duration - 2.48) < 0.08, "duration \(duration)")
        // The media library lists the export and the FLV it came from, with codecs and size.
        try FileManager.default.createDirectory(at: root.appendingPathComponent("exports"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("sources"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: output, to: root.appendingPathComponent("exports/goal-1.f4v"))
        try FileManager.default.copyItem(atPath: root.appendingPathComponent("source.flv").path, toPath: root.appendingPathComponent("sources/opener.flv").path)
        let library = MediaLibrary(mediaRoot: root.path)
        let outputs = library.outputs()
        #expect(outputs.map(\.name) == ["goal-1.f4v"])
        #expect(outputs.first.map { $0.codecs == ["h264", "aac"] && $0.width == 320 && $0.height == 240 && abs(($0.duration ?? 0) - duration) < 0.05 } == true,
                "\(outputs)")
        let sources = library.sources()
        #expect(sources.first.map { $0.format == "flv" && $0.width == 320 && abs(($0.duration ?? 0) - 6) < 0.1 } == true, "\(sources)")
        #expect(library.outputs() == outputs, "cached")

        let decode = try run(ffmpeg, ["-v", "error", "-i", output.path, "-f", "null", "-"])
        #expect(decode.status == 0 && decode.output.isEmpty, "\(decode.output)")
    }
}
