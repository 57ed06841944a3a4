import Foundation
import RTMP
import Testing

/// Who may publish and play, against the real lsc-relay with ffmpeg and ffprobe as peers.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct RelayAccessTests {
    static func write(_ text: String, to name: String, in dir: URL) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// ffmpeg publishing a few seconds to `url`; returns whether the relay accepted it.
    static func publishBriefly(_ url: String, seconds: Int = 2) throws -> Bool {
        let result = try Tools.run("ffmpeg", [
            "-hide_banner", "-nostats", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25",
            "-c:v", "libx264", "-preset", "ultrafast", "-t", "\(seconds)", "-f", "flv", url,
        ], timeout: Double(seconds) + 20)
        return result.status == 0
    }

    @Test func publishKeysRefuseUnknownPublishersAndAcceptKeyedOnes() throws {
        let dir = TestDirectory.make("publish-keys")
        let keys = try Self.write("# test keys\nlivestream live-key-0001\n* any-stream-key-2\n", to: "keys.txt", in: dir)
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--publish-keys", keys])
        defer { relay.stop() }
        let base = "rtmp://127.0.0.1:\(port)/livestreamcast_origin"

        #expect(try !Self.publishBriefly("\(base)/livestream"), "publish without a key was accepted")
        #expect(try !Self.publishBriefly("\(base)/livestream?key=wrong-key-999"), "publish with a wrong key was accepted")
        #expect(try !Self.publishBriefly("\(base)/other?key=live-key-0001"), "a stream's key was accepted for another stream")
        try waitUntil("refusals logged", timeout: 5) { relay.output.contains("refusing publish: missing or wrong publish key") }

        // The name stayed free: the real encoder publishes it with its key (OBS's Stream Key).
        let publisher = try RelayFixtures.startPublisher(url: "\(base)/livestream?key=live-key-0001", seconds: 20)
        defer { publisher.stop() }
        try RelayFixtures.waitForStream(url: "\(base)/livestream")
        // The key in the connect URL's query (tcUrl/app), and the `*` key.
        #expect(try Self.publishBriefly("rtmp://127.0.0.1:\(port)/livestreamcast_origin?key=any-stream-key-2/second"))

        // SIGHUP re-reads the file: the new key works, the removed one no longer does.
        try "livestream live-key-0001\nthird rotated-key-3\n".write(toFile: keys, atomically: true, encoding: .utf8)
        relay.signal(SIGHUP)
        try waitUntil("keys re-read", timeout: 5) { relay.output.contains("publish keys re-read") }
        #expect(try Self.publishBriefly("\(base)/third?key=rotated-key-3"))
        #expect(try !Self.publishBriefly("\(base)/fourth?key=any-stream-key-2"))
        // A broken file keeps the keys in use.
        try "livestream\n".write(toFile: keys, atomically: true, encoding: .utf8)
        relay.signal(SIGHUP)
        try waitUntil("bad keys reported", timeout: 5) { relay.output.contains("line 1") }
        #expect(try Self.publishBriefly("\(base)/third?key=rotated-key-3"))
        #expect(relay.isRunning)
    }

    @Test func anOriginOnAPublicAddressNeedsKeysOrAnExplicitOpenPolicy() throws {
        let dir = TestDirectory.make("secure-default")
        let port = FreePort.next()
        let refused = try Tools.run(Binaries.path("lsc-relay"), ["--rtmp", "0.0.0.0:\(port)", "--media", dir.path,
                                                                 "--control-socket", dir.appendingPathComponent("c.sock").path], timeout: 20)
        #expect(refused.status == 78)
        #expect(refused.stderr.contains("needs --publish-keys FILE, or --publish open"))
        let badKeys = try Self.write("livestream\n../x key-key-key\n", to: "bad.txt", in: dir)
        let bad = try Tools.run(Binaries.path("lsc-relay"), ["--rtmp", "127.0.0.1:\(port)", "--publish-keys", badKeys], timeout: 20)
        #expect(bad.status != 0)
        #expect((bad.stderr + bad.stdout).contains("line 1"))
        #expect((bad.stderr + bad.stdout).contains("line 2"))
        let (open, _) = try RelayFixtures.startRelay(port: port, extra: ["--publish", "open"])
        open.stop()
    }

    /// The token of the signed-play format, computed here independently of the relay's signer.
    static func token(secret: String, app: String, stream: String, expires: Int) -> String {
        SHA256.hmac(key: Array(secret.utf8), message: Array("\(app)/\(stream):\(expires)".utf8))
            .map { String(format: "%02x", $0) }.joined()
    }

    @Test func signedPlayAcceptsValidTokensAndRefusesExpiredOrForgedOnes() throws {
        let dir = TestDirectory.make("play-secret")
        let secret = try Self.write("play-secret-42\n", to: "play.secret", in: dir)
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--play-secret-file", secret])
        defer { relay.stop() }
        let url = RelayFixtures.url(port: port)
        let publisher = try RelayFixtures.startPublisher(url: url, seconds: 30)
        defer { publisher.stop() }
        let app = "livestreamcast_origin"
        let future = Int(Date().timeIntervalSince1970) + 600
        let good = Self.token(secret: "play-secret-42", app: app, stream: "livestream", expires: future)
        try RelayFixtures.waitForStream(url: "\(url)?expires=\(future)&token=\(good)")

        func probe(_ query: String) throws -> Bool {
            let result = try Tools.run("ffprobe", ["-v", "error", "-rw_timeout", "3000000", "-show_entries", "stream=codec_name",
                                                   "-of", "csv=p=0", "\(url)\(query)"], timeout: 10)
            return result.stdout.contains("h264")
        }
        let past = Int(Date().timeIntervalSince1970) - 10
        let expired = Self.token(secret: "play-secret-42", app: app, stream: "livestream", expires: past)
        let forged = Self.token(secret: "guessed", app: app, stream: "livestream", expires: future)
        let otherStream = Self.token(secret: "play-secret-42", app: app, stream: "other", expires: future)
        #expect(try !probe(""), "play without a token was accepted")
        #expect(try !probe("?expires=\(past)&token=\(expired)"), "an expired token was accepted")
        #expect(try !probe("?expires=\(future)&token=\(forged)"), "a forged token was accepted")
        #expect(try !probe("?expires=\(future)&token=\(otherStream)"), "another stream's token was accepted")
        #expect(try !probe("?expires=\(future + 1)&token=\(good)"), "an altered expiry was accepted")
        #expect(try probe("?expires=\(future)&token=\(good)"))
        let log = relay.output
        #expect(log.contains("refusing play: token expired"))
        #expect(log.contains("refusing play: token does not match"))
        #expect(log.contains("refusing play: missing expires/token"))
    }

    /// The same rule over the HTTP media port: every media URL needs the token, and the LL-HLS
    /// playlist hands it on to the URIs it names, so a player following it stays authorized.
    @Test func signedPlayOverHTTPNeedsTheSameTokenAndPlaylistsCarryIt() throws {
        let dir = TestDirectory.make("play-secret-http")
        let secret = try Self.write("play-secret-44\n", to: "play.secret", in: dir)
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--play-secret-file", secret])
        defer { relay.stop() }
        let httpPort = try #require(RelayFixtures.httpPort(ofRelay: port))
        let publisher = try RelayFixtures.startPublisher(url: RelayFixtures.url(port: port), seconds: 30)
        defer { publisher.stop() }
        let app = "livestreamcast_origin"
        let future = Int(Date().timeIntervalSince1970) + 600
        let query = "expires=\(future)&token=\(Self.token(secret: "play-secret-44", app: app, stream: "livestream", expires: future))"
        let forged = "expires=\(future)&token=\(Self.token(secret: "guessed", app: app, stream: "livestream", expires: future))"
        let base = "http://127.0.0.1:\(httpPort)/\(app)/livestream"
        /// Status of a GET with curl (`--max-time` bounds the live FLV response); the body only
        /// for text (playlists).
        func get(_ url: String, maxTime: Int = 5, body: Bool = false) throws -> (status: String, body: String) {
            let result = try Tools.run("curl", ["-s", "--max-time", "\(maxTime)", "-o", body ? "-" : "/dev/null",
                                                "-w", "\n%{http_code} %{size_download}", url], timeout: Double(maxTime + 5))
            var lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            let status = lines.popLast().map(String.init) ?? ""
            return (status, lines.joined(separator: "\n"))
        }
        func status(_ url: String, maxTime: Int = 5) throws -> String {
            String(try get(url, maxTime: maxTime).status.prefix { $0 != " " })
        }
        // The playlist blocks until the first segment exists, so this also waits for the stream.
        var playlist = ""
        try waitUntil("a signed LL-HLS playlist", timeout: 30) {
            let (status, body) = try get("\(base)/index.m3u8?\(query)", maxTime: 10, body: true)
            playlist = body
            return status.hasPrefix("200 ") && body.contains("#EXTINF")
        }
        let uris = playlist.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
        #expect(!uris.isEmpty && uris.allSatisfy { $0.hasSuffix("?\(query)") }, "segment URIs without the token: \(uris)")
        #expect(playlist.contains("#EXT-X-MAP:URI=\"init0.mp4?\(query)\"") || playlist.contains(".mp4?\(query)\""))
        let segment = try #require(uris.first.map(String.init))
        #expect(try status("\(base)/\(segment)") == "200")
        let bare = String(segment.prefix { $0 != "?" })
        #expect(try status("\(base)/\(bare)") == "403", "a segment without the token was served")
        #expect(try status("\(base)/index.m3u8") == "403")
        #expect(try status("\(base)/index.m3u8?\(forged)") == "403")
        #expect(try status("\(base).flv?\(forged)") == "403")
        // The live FLV response streams until curl's time is up: 200 and media bytes.
        let flv = try get("\(base).flv?\(query)", maxTime: 2).status.split(separator: " ")
        #expect(flv.first == "200" && (Int(flv.last ?? "") ?? 0) > 10_000, "signed HTTP-FLV: \(flv)")
        #expect(relay.output.contains("refusing HTTP play: token does not match"))
        #expect(relay.output.contains("refusing HTTP play: missing expires/token"))
    }

    @Test func childRelaysWithTheClusterSecretPullWithoutTokens() throws {
        let dir = TestDirectory.make("play-secret-tiers")
        let playSecret = try Self.write("play-secret-43\n", to: "play.secret", in: dir)
        let cluster = try Self.write("cluster-secret-7\n", to: "cluster.secret", in: dir)
        let wrongCluster = try Self.write("not-the-secret\n", to: "wrong.secret", in: dir)
        let origin = try TierNode(name: "origin", role: "origin", hostINI: nil,
                                  relayExtra: ["--play-secret-file", playSecret, "--cluster-secret-file", cluster], controlExtra: [])
        defer { origin.stop() }
        let publisher = try RelayFixtures.startPublisher(url: origin.url(), seconds: 60)
        defer { publisher.stop() }
        let edge = try TierNode(name: "edge", role: "edge", hostINI: [TierNode.group("o", origin)],
                                relayExtra: ["--cluster-secret-file", cluster], controlExtra: [])
        defer { edge.stop() }
        // The edge (no play secret of its own) pulls from the origin without a token.
        try RelayFixtures.waitForStream(url: edge.url(), timeout: 40)
        // A node with the wrong cluster secret is a player like any other: refused without a token.
        let intruder = try TierNode(name: "intruder", role: "edge", hostINI: [TierNode.group("o", origin)],
                                    relayExtra: ["--cluster-secret-file", wrongCluster], controlExtra: [])
        defer { intruder.stop() }
        let probe = try Tools.run("ffprobe", ["-v", "error", "-rw_timeout", "5000000", "-show_entries", "stream=codec_name",
                                              "-of", "csv=p=0", intruder.url()], timeout: 20)
        #expect(!probe.stdout.contains("h264"), "a node with the wrong cluster secret pulled without a token")
        let direct = try Tools.run("ffprobe", ["-v", "error", "-rw_timeout", "3000000", "-show_entries", "stream=codec_name",
                                               "-of", "csv=p=0", origin.url()], timeout: 10)
        #expect(!direct.stdout.contains("h264"), "an unsigned play at the origin was accepted")
        #expect(origin.relay.output.contains("refusing play: missing expires/token"))
    }
}
