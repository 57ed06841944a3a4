import Foundation
import Testing

/// `POST /api/v1/play-urls` on a real lsc-control: the minted token is the HMAC-SHA256 the relay
/// verifies (checked with openssl), and when lsc-relay has `--play-secret-file`, the minted URL
/// plays and a forged one does not.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct PlayURLLiveTests {
    @Test func mintsATokenTheRelayAccepts() throws {
        let directory = TestDirectory.make("play-urls")
        let secret = directory.appendingPathComponent("play.secret")
        try "s3cret-play\n".write(to: secret, atomically: true, encoding: .utf8)
        let relaySigns = try Tools.run(Binaries.path("lsc-relay"), ["--help"], timeout: 10).stdout.contains("--play-secret-file")
        let socket = directory.appendingPathComponent("c.sock").path
        let (relay, rtmpPort) = try RelayFixtures.startRelay(extra: ["--control-socket", socket] + (relaySigns ? ["--play-secret-file", secret.path] : []))
        defer { relay.stop() }
        let httpPort = FreePort.next()
        let control = try ControlAPILiveTests.startControl(socket: socket, httpPort: httpPort, extra: ["--play-secret-file", secret.path])
        defer { control.stop() }
        let api = "http://127.0.0.1:\(httpPort)/api/v1"
        try waitUntil("data plane linked", timeout: 15) { try ControlAPILiveTests.curl("\(api)/health").status == 200 }

        let minted = try ControlAPILiveTests.curl("\(api)/play-urls", ["-X", "POST", "--data", #"{"stream": "livestream", "ttl": 120}"#])
        #expect(minted.status == 200, "\(minted.body)")
        let body = ControlAPILiveTests.json(minted.body)
        let expires = try #require(body["expires"] as? Int)
        let query = try #require(body["query"] as? String)
        let rtmp = try #require(body["rtmp"] as? String)
        #expect(rtmp == "rtmp://127.0.0.1:\(rtmpPort)/livestreamcast_origin/livestream?\(query)")
        let now = Int(Date().timeIntervalSince1970)
        #expect(expires >= now + 118 && expires <= now + 121)
        let hmac = try Tools.run("sh", ["-c", "printf '%s' 'livestreamcast_origin/livestream:\(expires)' | openssl dgst -sha256 -hmac 's3cret-play' -r"], timeout: 10)
        let expected = String(hmac.stdout.prefix(64))
        #expect(query == "expires=\(expires)&token=\(expected)")
        #expect(try ControlAPILiveTests.curl("\(api)/play-urls", ["-X", "POST", "--data", #"{"stream": "../x", "ttl": 120}"#]).status == 400)

        guard relaySigns else { return }
        let publisher = try RelayFixtures.startPublisher(url: RelayFixtures.url(port: rtmpPort), seconds: 20)
        defer { publisher.stop() }
        try RelayFixtures.waitForStream(url: rtmp)
        let forged = rtmp.replacingOccurrences(of: "token=\(expected.prefix(4))", with: "token=\(expected.hasPrefix("0000") ? "1111" : "0000")")
        let refused = try Tools.run("ffprobe", ["-v", "error", "-rw_timeout", "3000000", "-show_entries", "stream=codec_name", "-of", "csv=p=0", forged], timeout: 10)
        #expect(!refused.stdout.contains("h264"))
    }
}
