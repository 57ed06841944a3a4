import Foundation
import Testing

/// Live: an origin records a publisher; through lsc-control's API an edit list of two DVR ranges
/// and a clip is exported while the stream is live, one out-point still in the future.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct DVRExportLiveTests {
    @Test func exportWhileLiveWaitsForTheFutureOutPointAndProducesAPlayableF4V() throws {
        let media = TestDirectory.make("dvr-live")
        let socket = media.appendingPathComponent("c.sock").path
        let clip = media.appendingPathComponent("sources/opener.mp4")
        try FileManager.default.createDirectory(at: clip.deletingLastPathComponent(), withIntermediateDirectories: true)
        let made = try Tools.run("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25,\(FrameNumberCode.filter(offset: 10_000))", "-f", "lavfi", "-i", "sine",
                                            "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", clip.path], timeout: 60)
        try #require(made.status == 0, "\(made.stderr)")
        let flvClip = try Tools.run("ffmpeg", ["-v", "error", "-y", "-i", clip.path, "-c", "copy",
                                               clip.deletingPathExtension().appendingPathExtension("flv").path], timeout: 60)
        try #require(flvClip.status == 0, "\(flvClip.stderr)")

        let (relay, port) = try RelayFixtures.startRelay(extra: ["--control-socket", socket, "--media", media.path])
        defer { relay.stop() }
        let httpPort = FreePort.next()
        let control = try ControlAPILiveTests.startControl(socket: socket, httpPort: httpPort, extra: ["--media", media.path])
        defer { control.stop() }
        let api = "http://127.0.0.1:\(httpPort)/api/v1"
        let publisher = try RelayFixtures.startPublisher(url: RelayFixtures.url(port: port), seconds: 14,
                                                         extraVideoFilter: FrameNumberCode.filter())
        defer { publisher.stop() }

        var recorded = 0.0
        try waitUntil("4 s recorded", timeout: 20) {
            let list = ControlAPILiveTests.json(try ControlAPILiveTests.curl("\(api)/dvr").body)["recordings"] as? [[String: Any]] ?? []
            guard let live = list.first(where: { $0["stream"] as? String == "livestream" }), live["live"] as? Bool == true else { return false }
            recorded = live["duration"] as? Double ?? 0
            return recorded >= 4
        }

        // Invalid lists get a 400 with the reason.
        let bad = try ControlAPILiveTests.curl("\(api)/exports", ["-X", "POST", "--data",
            #"{"output": "../x.f4v", "items": [{"source": "dvr", "name": "livestream", "start": 0, "end": 1}]}"#])
        #expect(bad.status == 400)
        #expect(bad.body.contains("output"))

        // In/out points on the recording's 25 fps frame grid (its first video frame, read from the
        // segment file, which is plain FLV), so that no item ends with a shortened frame.
        let first = try RelayFixtures.packets(of: media.appendingPathComponent("dvr/livestream/seg-00000001.flv").path, stream: "v")
        let grid = (first.first?.dts ?? 0).truncatingRemainder(dividingBy: 0.04)
        func point(_ seconds: Double) -> String { String(format: "%.3f", seconds + grid) }
        let futureEnd = (recorded + 3).rounded()
        let body = #"{"output": "goal-1.f4v", "items": [{"source": "dvr", "name": "livestream", "start": \#(point(1)), "end": \#(point(2))}, "#
            + #"{"source": "clip", "name": "opener.mp4", "start": 0, "end": 1}, "#
            + #"{"source": "dvr", "name": "livestream", "start": \#(point(2.52)), "end": \#(point(futureEnd))}]}"#
        // A job waiting for a far-future out-point is cancelled by DELETE and leaves nothing behind.
        let waiting = try ControlAPILiveTests.curl("\(api)/exports", ["-X", "POST", "--data",
            #"{"output": "never.f4v", "items": [{"source": "dvr", "name": "livestream", "start": 1, "end": 600}]}"#])
        #expect(waiting.status == 202, "\(waiting.body)")
        let waitingID = try #require(ControlAPILiveTests.json(waiting.body)["id"] as? String)
        #expect(ControlAPILiveTests.json(waiting.body)["state"] as? String == "waiting")
        let cancelled = try ControlAPILiveTests.curl("\(api)/exports/\(waitingID)", ["-X", "DELETE"])
        #expect(cancelled.status == 200 && ControlAPILiveTests.json(cancelled.body)["state"] as? String == "cancelled", "\(cancelled.body)")

        let created = try ControlAPILiveTests.curl("\(api)/exports", ["-X", "POST", "--data", body])
        #expect(created.status == 202, "\(created.body)")
        let job = ControlAPILiveTests.json(created.body)
        #expect(job["state"] as? String == "waiting")
        let id = try #require(job["id"] as? String)

        var final: [String: Any] = [:]
        try waitUntil("job done", timeout: 30) {
            final = ControlAPILiveTests.json(try ControlAPILiveTests.curl("\(api)/exports/\(id)").body)
            return ["done", "failed", "cancelled"].contains(final["state"] as? String ?? "")
        }
        #expect(final["state"] as? String == "done", "\(final)")
        let expected = 1.0 + 1.0 + (futureEnd - 2.52)
        let output = media.appendingPathComponent("exports/goal-1.f4v").path
        let probe = try Tools.run("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", output], timeout: 30)
        let duration = Double(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        // Each item may start up to one frame (40 ms) early: the frame shown at its in-point.
        #expect(duration >= expected - 0.05 && duration <= expected + 3 * 0.045, "duration \(duration), expected \(expected)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: output))
        let moov = try #require(bytes.range(of: Data("moov".utf8))?.lowerBound)
        let mdat = try #require(bytes.range(of: Data("mdat".utf8))?.lowerBound)
        #expect(moov < mdat, "moov before mdat")
        #expect(bytes.range(of: Data("f4v ".utf8)).map { $0.lowerBound < 32 } == true, "f4v brand")
        let decode = try Tools.run("ffmpeg", ["-v", "error", "-i", output, "-f", "null", "-"], timeout: 60)
        #expect(decode.status == 0 && decode.stderr.isEmpty, "\(decode.stderr)")

        // The first frame of each item is the frame at its in-point: the numbers burned into the
        // publisher's and the clip's frames, read back from the output and from the recording.
        let segment = media.appendingPathComponent("dvr/livestream/seg-00000001.flv").path
        let recordedTimes = try RelayFixtures.packets(of: segment, stream: "v").map(\.dts)
        let recordedNumbers = try FrameNumberCode.read(segment)
        func recordedNumber(at seconds: Double) -> Int? {
            let index = recordedTimes.prefix(recordedNumbers.count).lastIndex { $0 <= seconds + 0.002 }
            return index.map { recordedNumbers[$0] }
        }
        let runs = FrameNumberCode.runs(try FrameNumberCode.read(output))
        let inPoints = [Double(point(1)) ?? 0, Double(point(2.52)) ?? 0]
        #expect(runs.map(\.first) == [recordedNumber(at: inPoints[0]), 10_000, recordedNumber(at: inPoints[1])].map { $0 ?? -1 },
                "runs of frame numbers in the output: \(runs)")
        let frames = [25, 25, Int(((futureEnd - 2.52) * 25).rounded())]
        #expect(runs.count == 3 && zip(runs, frames).allSatisfy { abs($0.count - $1) <= 1 }, "\(runs) vs \(frames) frames")

        // An FLV clip exports like an MP4 one, from the frame shown at 0.2 s on the file's clock
        // (whose 0 is its first tag: here AAC, one priming frame before the first picture).
        let fromFLV = try ControlAPILiveTests.curl("\(api)/exports", ["-X", "POST", "--data",
            #"{"output": "from-flv.f4v", "items": [{"source": "clip", "name": "opener.flv", "start": 0.2, "end": 1.6}]}"#])
        #expect(fromFLV.status == 202, "\(fromFLV.body)")
        let flvID = try #require(ControlAPILiveTests.json(fromFLV.body)["id"] as? String)
        var flvJob: [String: Any] = [:]
        try waitUntil("FLV clip export done", timeout: 30) {
            flvJob = ControlAPILiveTests.json(try ControlAPILiveTests.curl("\(api)/exports/\(flvID)").body)
            return ["done", "failed", "cancelled"].contains(flvJob["state"] as? String ?? "")
        }
        #expect(flvJob["state"] as? String == "done", "\(flvJob)")
        let flvOutput = media.appendingPathComponent("exports/from-flv.f4v").path
        let flvRuns = FrameNumberCode.runs(try FrameNumberCode.read(flvOutput))
        let flvTimes = try RelayFixtures.packets(of: clip.deletingPathExtension().appendingPathExtension("flv").path, stream: "v").map(\.dts)
        let shown = try #require(flvTimes.lastIndex { $0 <= 0.2 + 0.0005 })
        let expectedFrames = flvTimes.filter { $0 >= flvTimes[shown] && $0 < 1.6 }.count
        #expect(flvRuns.count == 1 && flvRuns.first?.first == 10_000 + shown && abs((flvRuns.first?.count ?? 0) - expectedFrames) <= 1,
                "\(flvRuns), expected frame \(shown) and \(expectedFrames) frames")

        // Nothing of the cancelled job in exports/ (no output, no temporary file).
        let exported = try FileManager.default.contentsOfDirectory(atPath: media.appendingPathComponent("exports").path).sorted()
        #expect(exported == ["from-flv.f4v", "goal-1.f4v"], "\(exported)")
        #expect(ControlAPILiveTests.json(try ControlAPILiveTests.curl("\(api)/exports/\(waitingID)").body)["state"] as? String == "cancelled")

        let outputs = ControlAPILiveTests.json(try ControlAPILiveTests.curl("\(api)/outputs").body)["files"] as? [[String: Any]] ?? []
        #expect(outputs.contains { $0["name"] as? String == "goal-1.f4v" })
        let sources = ControlAPILiveTests.json(try ControlAPILiveTests.curl("\(api)/sources").body)["files"] as? [[String: Any]] ?? []
        #expect(sources.contains { $0["name"] as? String == "opener.mp4" && $0["width"] as? Int == 320 })
        #expect(sources.contains { $0["name"] as? String == "opener.flv" && $0["width"] as? Int == 320 && $0["format"] as? String == "flv" })

        // Stop recording through the API: the data plane closes the recording.
        #expect(try ControlAPILiveTests.curl("\(api)/dvr/livestream/stop", ["-X", "POST"]).status == 200)
        try waitUntil("recording stopped", timeout: 10) { relay.output.contains("state=stopped") }
    }
}
