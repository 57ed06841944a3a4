import Foundation
import Testing

/// The relay's HTTP media port with real programs: ffmpeg publishes, ffprobe and curl read
/// HTTP-FLV, fMP4 and LL-HLS at an origin and at an edge; blocking reloads; files with Range.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct HTTPDeliveryLiveTests {
    static func probe(_ url: String) throws -> Set<String> {
        let result = try Tools.run("ffprobe", ["-v", "error", "-rw_timeout", "10000000", "-show_entries", "stream=codec_name",
                                               "-of", "csv=p=0", url], timeout: 40)
        let codecs = Set(result.stdout.split(separator: "\n").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        if codecs != ["h264", "aac"] { print("ffprobe \(url): \(result.stdout) \(result.stderr)") }
        return codecs
    }

    static func curl(_ url: String, _ arguments: [String] = []) throws -> (status: Int, headers: String, body: Data) {
        let directory = TestDirectory.make("curl")
        let headers = directory.appendingPathComponent("headers").path
        let body = directory.appendingPathComponent("body").path
        let result = try Tools.run("curl", ["-s", "-D", headers, "-o", body, "-w", "%{http_code}", "--max-time", "15"] + arguments + [url],
                                   timeout: 25)
        return (Int(result.stdout) ?? 0, (try? String(contentsOfFile: headers, encoding: .utf8)) ?? "",
                (try? Data(contentsOf: URL(fileURLWithPath: body))) ?? Data())
    }

    @Test func originServesFLVMP4AndLLHLSWithBlockingReload() throws {
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--hls-part-target", "0.3", "--hls-segment-target", "1"])
        defer { relay.stop() }
        let http = try #require(RelayFixtures.httpPort(ofRelay: port))
        let base = "http://127.0.0.1:\(http)/livestreamcast_origin/livestream"
        #expect(try Self.curl("\(base)/index.m3u8").status == 404, "nothing published yet")
        let publisher = try RelayFixtures.startPublisher(url: RelayFixtures.url(port: port), seconds: 60,
                                                         extraVideoFilter: FrameNumberCode.filter())
        defer { publisher.stop() }
        try RelayFixtures.waitForStream(url: RelayFixtures.url(port: port))

        #expect(try Self.probe("\(base).flv") == ["h264", "aac"])
        #expect(try Self.probe("\(base).mp4") == ["h264", "aac"])
        #expect(try Self.probe("\(base)/index.m3u8") == ["h264", "aac"])

        let playlist = try Self.curl("\(base)/index.m3u8")
        #expect(playlist.status == 200)
        #expect(playlist.headers.lowercased().contains("content-type: application/vnd.apple.mpegurl"))
        #expect(playlist.headers.lowercased().contains("access-control-allow-origin: *"))
        let text = String(decoding: playlist.body, as: UTF8.self)
        #expect(text.contains("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES"))
        #expect(text.contains("#EXT-X-PART-INF:PART-TARGET=0.300"))
        let hint = try #require(text.split(separator: "\n").first { $0.hasPrefix("#EXT-X-PRELOAD-HINT") })
        let hinted = try #require(Int(hint.split(separator: "\"")[1].dropFirst().dropLast(4)))

        // A part the playlist names is immutable; the hinted one is answered once it is cut.
        let partLine = try #require(text.split(separator: "\n").last { $0.hasPrefix("#EXT-X-PART:") })
        let partURI = String(partLine.split(separator: "\"")[1])
        let part = try Self.curl("\(base)/\(partURI)")
        #expect(part.status == 200)
        #expect(part.headers.lowercased().contains("cache-control: max-age=60, immutable"))
        let started = Date()
        let next = try Self.curl("\(base)/p\(hinted).m4s")
        #expect(next.status == 200 && next.body.count > 100)
        #expect(Date().timeIntervalSince(started) < 3)

        // Blocking reload: ask for the part after the hinted one; the answer lists it.
        let msnLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("#EXT-X-MEDIA-SEQUENCE:") })
        _ = msnLine
        let lastMSN = text.split(separator: "\n").filter { $0.hasPrefix("s") && $0.hasSuffix(".m4s") }.count
            + (Int(msnLine.split(separator: ":")[1]) ?? 0)
        let blocked = try Self.curl("\(base)/index.m3u8?_HLS_msn=\(lastMSN + 1)&_HLS_part=0")
        #expect(blocked.status == 200)
        #expect(String(decoding: blocked.body, as: UTF8.self).contains("s\(lastMSN).m4s"), "segment \(lastMSN) complete when part 0 of the next exists")
        #expect(try Self.curl("\(base)/index.m3u8?_HLS_msn=\(lastMSN + 50)").status == 400)

        // What a browser gets from the fMP4 stream decodes, frame numbers ascending.
        let capture = TestDirectory.make("http-mp4").appendingPathComponent("live.mp4").path
        _ = try Tools.run("curl", ["-s", "--max-time", "4", "-o", capture, "\(base).mp4"], timeout: 10)
        let numbers = try FrameNumberCode.read(capture)
        #expect(numbers.count > 50)
        #expect(zip(numbers, numbers.dropFirst()).allSatisfy { $0 + 1 == $1 }, "consecutive frames: \(numbers.prefix(10))…")

        // Path tricks.
        for path in ["/vod/exports/..%2f..%2fetc%2fpasswd", "/vod/%2e%2e/%2e%2e/etc/passwd", "/livestreamcast_origin/..", "/etc/passwd"] {
            #expect(try Self.curl("http://127.0.0.1:\(http)\(path)", ["--path-as-is"]).status == 404, "\(path)")
        }
    }

    @Test func exportsPlayWithRangeAndDVRPlaylistGrows() throws {
        let media = TestDirectory.make("http-media")
        let exports = media.appendingPathComponent("exports")
        try FileManager.default.createDirectory(at: exports, withIntermediateDirectories: true)
        let clip = exports.appendingPathComponent("clip.mp4").path
        _ = try Tools.run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "2", "-c:v", "libx264",
                                     "-preset", "ultrafast", "-movflags", "+faststart", clip], timeout: 60)
        let size = try #require((try FileManager.default.attributesOfItem(atPath: clip)[.size] as? NSNumber)?.intValue)
        let sources = media.appendingPathComponent("sources")
        try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
        _ = try Tools.run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine",
                                     "-t", "6", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac",
                                     sources.appendingPathComponent("opener.flv").path], timeout: 60)
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--media", media.path])
        defer { relay.stop() }
        let http = try #require(RelayFixtures.httpPort(ofRelay: port))
        let url = "http://127.0.0.1:\(http)/vod/exports/clip.mp4"

        let whole = try Self.curl(url)
        #expect(whole.status == 200 && whole.body.count == size)
        #expect(whole.headers.lowercased().contains("accept-ranges: bytes"))
        let etag = try #require(whole.headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("etag:") }).split(separator: " ")[1]
        let ranged = try Self.curl(url, ["-H", "Range: bytes=100-199"])
        #expect(ranged.status == 206 && ranged.body == whole.body[100..<200])
        #expect(ranged.headers.contains("Content-Range: bytes 100-199/\(size)"))
        #expect(try Self.curl(url, ["-H", "Range: bytes=\(size)-"]).status == 416)
        #expect(try Self.curl(url, ["-H", "If-None-Match: \(etag)"]).status == 304)
        let head = try Self.curl(url, ["-I"])
        #expect(head.status == 200 && head.headers.contains("Content-Length: \(size)"))
        #expect(try Self.probe(url) == ["h264"])
        // An FLV clip as HLS (VOD playlist, segments remuxed on demand).
        let clipHLS = "http://127.0.0.1:\(http)/vod/sources/opener.flv/index.m3u8"
        let clipPlaylist = String(decoding: try Self.curl(clipHLS).body, as: UTF8.self)
        #expect(clipPlaylist.contains("#EXT-X-PLAYLIST-TYPE:VOD") && clipPlaylist.contains("#EXT-X-ENDLIST"), "\(clipPlaylist)")
        #expect(try Self.probe(clipHLS) == ["h264", "aac"])
        let decoded = TestDirectory.make("clip-hls").appendingPathComponent("clip.mp4").path
        _ = try Tools.run("ffmpeg", ["-v", "error", "-i", clipHLS, "-c", "copy", decoded], timeout: 60)
        let packets = try RelayFixtures.packets(of: decoded, stream: "v:0")
        #expect(packets.count >= 145 && packets.count <= 155, "6 s at 25 fps: \(packets.count)")
        // A symbolic link out of the media root is not followed.
        try FileManager.default.createSymbolicLink(atPath: exports.appendingPathComponent("passwd").path, withDestinationPath: "/etc/passwd")
        #expect(try Self.curl("http://127.0.0.1:\(http)/vod/exports/passwd").status == 404)

        // DVR rewind: the EVENT playlist of the recording, cut on demand, plays.
        let publisher = try RelayFixtures.startPublisher(url: RelayFixtures.url(port: port), seconds: 60)
        defer { publisher.stop() }
        let dvr = "http://127.0.0.1:\(http)/livestreamcast_origin/livestream/dvr.m3u8"
        var first = ""
        try waitUntil("three DVR segments", timeout: 30) {
            first = String(decoding: try Self.curl(dvr).body, as: UTF8.self)
            return first.components(separatedBy: "#EXTINF").count > 3
        }
        #expect(first.contains("#EXT-X-PLAYLIST-TYPE:EVENT"))
        #expect(first.contains("#EXT-X-PROGRAM-DATE-TIME:"))
        #expect(!first.contains("#EXT-X-ENDLIST"))
        try waitUntil("the DVR playlist grows", timeout: 20) {
            String(decoding: try Self.curl(dvr).body, as: UTF8.self).components(separatedBy: "#EXTINF").count
                > first.components(separatedBy: "#EXTINF").count
        }
        #expect(try Self.probe(dvr) == ["h264", "aac"])
        let started = try #require(String(decoding: try Self.curl("\(dvr)?start=2").body, as: UTF8.self)
            .split(separator: "\n").first { $0.hasPrefix("#EXT-X-START:") })
        #expect(started.contains("PRECISE=YES"))
    }

    @Test func edgePullsOnTheFirstHTTPRequest() throws {
        let origin = try TierNode(name: "origin", role: "origin", hostINI: nil, relayExtra: [], controlExtra: [])
        defer { origin.stop() }
        let publisher = try RelayFixtures.startPublisher(url: origin.url(), seconds: 60)
        defer { publisher.stop() }
        try RelayFixtures.waitForStream(url: origin.url())
        let edge = try TierNode(name: "edge", role: "edge", hostINI: [TierNode.group("origins", origin)], relayExtra: [], controlExtra: [])
        defer { edge.stop() }
        let http = try #require(RelayFixtures.httpPort(ofRelay: edge.rtmpPort))
        let base = "http://127.0.0.1:\(http)/livestreamcast_edge/livestream"
        try waitUntil("the edge knows the stream", timeout: 15) {
            let groups = try edge.get("/api/v1/topology")["groups"] as? [[String: Any]] ?? []
            return groups.contains { ($0["publishers"] as? [String] ?? []).contains("livestream") }
        }
        #expect(try Self.probe("\(base)/index.m3u8") == ["h264", "aac"])
        #expect(try Self.probe("\(base).flv") == ["h264", "aac"])
        #expect(try Self.probe("\(base).mp4") == ["h264", "aac"])
        #expect(try edge.upstream() == origin.upstreamID)

        // The control plane knows the HTTP port, lists play URLs and counts HTTP viewers.
        #expect(try edge.get("/api/v1/node")["mediaListen"] as? String == "127.0.0.1:\(http)")
        let viewer = try TestProcess("curl", ["-s", "-o", "/dev/null", "--max-time", "30", "\(base).flv"], name: "flv-viewer")
        defer { viewer.stop() }
        try waitUntil("the HTTP-FLV viewer counted at the edge", timeout: 15) { (try edge.stream()?["httpViewers"] as? Int ?? 0) >= 1 }
        let urls = try #require(try edge.stream()?["playUrls"] as? [String: String])
        #expect(urls["hls"] == "\(base)/index.m3u8")
        #expect(urls["flv"] == "\(base).flv")
        #expect(urls["rtmp"] == edge.url())
        #expect(try edge.getText("/metrics").contains("lsc_stream_http_viewers{stream=\"livestream\"}"))
    }

    @Test func slowHTTPViewersAreDroppedAndHostileRequestsRefused() throws {
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--player-queue-bytes", "65536", "--player-max-lag", "2"])
        defer { relay.stop() }
        let http = try #require(RelayFixtures.httpPort(ofRelay: port))
        let publisher = try RelayFixtures.startPublisher(url: RelayFixtures.url(port: port), seconds: 60, size: "640x360")
        defer { publisher.stop() }
        try RelayFixtures.waitForStream(url: RelayFixtures.url(port: port))

        // A viewer that never reads: skipped to keyframes, then dropped after --player-max-lag.
        let slow = try RawSocket(port: http, receiveBuffer: 4096)
        #expect(slow.send(Array("GET /livestreamcast_origin/livestream.flv HTTP/1.1\r\nHost: x\r\n\r\n".utf8)))
        try waitUntil("the slow HTTP viewer dropped", timeout: 30) { relay.output.contains("slow HTTP viewer dropped") }
        _ = slow
        // Meanwhile a normal viewer is not disturbed.
        #expect(try Self.probe("http://127.0.0.1:\(http)/livestreamcast_origin/livestream.flv") == ["h264", "aac"])

        // Oversized header: refused, the relay keeps serving.
        let big = try RawSocket(port: http)
        #expect(big.send(Array("GET /x HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 100_000))\r\n\r\n".utf8)))
        #expect(big.waitForClose(timeout: 10))
        // Methods other than GET/HEAD/OPTIONS: 405.
        #expect(try Self.curl("http://127.0.0.1:\(http)/livestreamcast_origin/livestream.flv", ["-X", "POST"]).status == 405)
        #expect(try Self.curl("http://127.0.0.1:\(http)/livestreamcast_origin/livestream/index.m3u8").status == 200)
    }
}
