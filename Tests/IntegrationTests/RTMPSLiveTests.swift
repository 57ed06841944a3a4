import Foundation
import Testing

/// RTMPS with real programs: certificates made here with openssl; ffmpeg publishes to
/// `rtmps://`; the certificate is replaced and reloaded (SIGHUP) under a live publisher; an edge
/// pulls from its origin over RTMPS with verification (`--tls-ca`); a certificate that does not
/// verify is refused and the topology API says so.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct RTMPSLiveTests {
    /// A self-signed certificate (its own CA) for 127.0.0.1 and localhost, named `subject`.
    static func makeCertificate(in directory: URL, name: String, subject: String) throws -> (certificate: String, key: String) {
        let certificate = directory.appendingPathComponent("\(name).pem").path
        let key = directory.appendingPathComponent("\(name).key").path
        let made = try Tools.run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate,
                                             "-days", "2", "-subj", "/CN=\(subject)", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                                 timeout: 60)
        try #require(made.status == 0, "openssl: \(made.stderr)")
        return (certificate, key)
    }

    /// The subject of the certificate the server on `port` presents.
    static func presentedSubject(port: Int) throws -> String {
        let run = try Tools.run("bash", ["-c", "openssl s_client -connect 127.0.0.1:\(port) </dev/null 2>/dev/null | openssl x509 -noout -subject"],
                                timeout: 20)
        return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func rtmpsURL(port: Int, app: String = "livestreamcast_origin") -> String {
        "rtmps://127.0.0.1:\(port)/\(app)/livestream"
    }

    @Test func ffmpegPublishesOverRTMPSAndACertificateReloadDropsNobody() throws {
        let directory = TestDirectory.make("rtmps")
        let first = try Self.makeCertificate(in: directory, name: "first", subject: "first")
        let tlsPort = FreePort.next()
        let (relay, port) = try RelayFixtures.startRelay(extra: ["--rtmps", "127.0.0.1:\(tlsPort)", "--tls-cert", first.certificate,
                                                                 "--tls-key", first.key])
        defer { relay.stop() }
        try waitUntil("RTMPS listening", timeout: 15) { isListening(port: tlsPort) }
        let publisher = try TestProcess("ffmpeg", [
            "-hide_banner", "-nostats", "-loglevel", "warning", "-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
            "-f", "lavfi", "-i", "sine", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-t", "40",
            "-f", "flv", Self.rtmpsURL(port: tlsPort),
        ], name: "ffmpeg-rtmps-publisher")
        defer { publisher.stop() }
        // Published over TLS, played over plain RTMP and over RTMPS.
        try RelayFixtures.waitForStream(url: RelayFixtures.url(port: port))
        let overTLS = try Tools.run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", Self.rtmpsURL(port: tlsPort)],
                                    timeout: 30)
        #expect(overTLS.stdout.contains("h264"), "ffprobe over rtmps: \(overTLS.stderr.prefix(300))")
        #expect(try Self.presentedSubject(port: tlsPort).contains("first"))

        // Replace the files and reload: new connections get the new certificate, the publisher stays.
        let second = try Self.makeCertificate(in: directory, name: "second", subject: "second")
        try FileManager.default.removeItem(atPath: first.certificate)
        try FileManager.default.removeItem(atPath: first.key)
        try FileManager.default.copyItem(atPath: second.certificate, toPath: first.certificate)
        try FileManager.default.copyItem(atPath: second.key, toPath: first.key)
        relay.signal(SIGHUP)
        try waitUntil("the reloaded certificate is presented", timeout: 10) { try Self.presentedSubject(port: tlsPort).contains("second") }
        #expect(!publisher.waitForExit(timeout: 1), "the RTMPS publisher was not dropped by the reload")
        try RelayFixtures.waitForStream(url: RelayFixtures.url(port: port), timeout: 10)

        // A broken file on reload keeps the certificate in force.
        try "not a certificate".write(toFile: first.certificate, atomically: true, encoding: .utf8)
        relay.signal(SIGHUP)
        try waitUntil("the bad reload is survived", timeout: 10) { try Self.presentedSubject(port: tlsPort).contains("second") }
    }

    @Test func edgePullsOverRTMPSWithVerificationAndABadCertificateIsReported() throws {
        let directory = TestDirectory.make("rtmps-tier")
        let server = try Self.makeCertificate(in: directory, name: "origin", subject: "origin")
        let stranger = try Self.makeCertificate(in: directory, name: "stranger", subject: "stranger")
        let tlsPort = FreePort.next()
        let origin = try TierNode(name: "origin", role: "origin", hostINI: nil,
                                  relayExtra: ["--rtmps", "127.0.0.1:\(tlsPort)", "--tls-cert", server.certificate, "--tls-key", server.key],
                                  controlExtra: [])
        defer { origin.stop() }
        let publisher = try RelayFixtures.startPublisher(url: origin.url(), seconds: 60)
        defer { publisher.stop() }
        try RelayFixtures.waitForStream(url: origin.url())
        let line = "origins rtmps://127.0.0.1:\(tlsPort);rtmps://127.0.0.1:\(tlsPort) livestreamcast_origin"

        // Verified against the origin's certificate as CA: the edge relays the stream.
        let edge = try TierNode(name: "edge", role: "edge", hostINI: [line], relayExtra: ["--tls-ca", server.certificate], controlExtra: [])
        defer { edge.stop() }
        try RelayFixtures.waitForStream(url: edge.url())
        let player = try TestProcess(Binaries.path("lsc-loadclient"), [edge.url(), "--players", "1", "--duration", "8"], name: "edge-player")
        defer { player.stop() }
        // The API learns the stream's source from the data plane's periodic snapshot.
        try waitUntil("the edge reports its rtmps:// upstream", timeout: 15) {
            try edge.upstream() == "rtmps://127.0.0.1:\(tlsPort)/livestreamcast_origin"
        }
        #expect(player.waitForExit(timeout: 30))
        let report = try UpstreamSpliceLiveTests.report(of: player)
        #expect(report["firstVideoKeyframe"] as? Bool == true && report["stillOpen"] as? Int == 1, "\(report)")

        // Trusting another CA: refused, and the topology API says why.
        let wary = try TierNode(name: "wary", role: "edge", hostINI: [line], relayExtra: ["--tls-ca", stranger.certificate], controlExtra: [])
        defer { wary.stop() }
        var error = ""
        try waitUntil("the topology API reports the failed verification", timeout: 20) {
            let groups = try wary.get("/api/v1/topology")["groups"] as? [[String: Any]] ?? []
            error = groups.first?["lastError"] as? String ?? ""
            return !error.isEmpty
        }
        #expect(error.contains("TLS"), "\(error)")
        #expect(error.lowercased().contains("certificate"), "\(error)")
        let probe = try Tools.run("ffprobe", ["-v", "error", "-rw_timeout", "4000000", "-show_entries", "stream=codec_name", "-of", "csv=p=0", wary.url()],
                                  timeout: 30)
        #expect(!probe.stdout.contains("h264"), "nothing is relayed from an unverified upstream")
    }
}
