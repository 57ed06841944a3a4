import Foundation
import Synchronization

/// Starting the real `lsc-relay` and real ffmpeg publishers for live tests.
enum RelayFixtures {
    /// HTTP media port of each relay started here, by its RTMP port.
    private static let httpPorts = Mutex<[Int: Int]>([:])

    /// The HTTP media port (`--http`) of the relay started on RTMP port `rtmpPort`.
    static func httpPort(ofRelay rtmpPort: Int) -> Int? { httpPorts.withLock { $0[rtmpPort] } }

    /// Starts `lsc-relay` on a free loopback port and waits until it listens. Every relay also
    /// gets its HTTP media port on a free loopback port (never the default 8935, so relays
    /// started in parallel do not collide): `httpPort(ofRelay:)` names it.
    static func startRelay(role: String = "origin", port: Int = FreePort.next(), extra: [String] = [],
                           workingDirectory: URL? = nil) throws -> (process: TestProcess, port: Int) {
        // Recordings (on by default on an origin) go to a scratch media root unless a test names one.
        let media = extra.contains("--media") ? [] : ["--media", TestDirectory.make("media").path]
        var http: [String] = []
        if !extra.contains("--http") {
            let httpPort = FreePort.next()
            http = ["--http", "127.0.0.1:\(httpPort)"]
            httpPorts.withLock { $0[port] = httpPort }
        }
        let relay = try TestProcess(Binaries.path("lsc-relay"), ["--role", role, "--rtmp", "127.0.0.1:\(port)", "--threads", "2"] + media + http + extra,
                                    name: "lsc-relay-\(role)", workingDirectory: workingDirectory)
        try waitUntil("lsc-relay listening on \(port)", timeout: 15) { isListening(port: port) }
        return (relay, port)
    }

    static func url(port: Int, app: String = "livestreamcast_origin", stream: String = "livestream") -> String {
        "rtmp://127.0.0.1:\(port)/\(app)/\(stream)"
    }

    /// ffmpeg publishing testsrc2 + sine as H.264 (2 s GOP at 25 fps) + AAC, paced in real time.
    static func startPublisher(url: String, seconds: Int, size: String = "320x240", name: String = "ffmpeg-publisher",
                               extraVideoFilter: String? = nil) throws -> TestProcess {
        var video = "testsrc2=size=\(size):rate=25"
        if let extraVideoFilter { video += ",\(extraVideoFilter)" }
        return try TestProcess("ffmpeg", [
            "-hide_banner", "-nostats", "-loglevel", "warning", "-re",
            "-f", "lavfi", "-i", video, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "50", "-keyint_min", "50",
            "-c:a", "aac", "-b:a", "64k", "-t", "\(seconds)", "-f", "flv", url,
        ], name: name)
    }

    /// Waits until an RTMP stream answers ffprobe with a video stream.
    static func waitForStream(url: String, timeout: TimeInterval = 30) throws {
        try waitUntil("stream \(url) playable", timeout: timeout) {
            let probe = try Tools.run("ffprobe", ["-v", "error", "-rw_timeout", "3000000", "-show_entries", "stream=codec_name",
                                                  "-of", "csv=p=0", url], timeout: 8)
            return probe.stdout.contains("h264")
        }
    }

    /// Runs `lsc-loadclient` and decodes its JSON report.
    static func loadClient(url: String, players: Int, duration: Double) throws -> [String: Any] {
        let result = try Tools.run(Binaries.path("lsc-loadclient"), [url, "--players", "\(players)", "--duration", "\(duration)"],
                                   timeout: duration + 30)
        guard let data = result.stdout.data(using: .utf8),
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ToolError.missing("a JSON report from lsc-loadclient: \(result.stdout) \(result.stderr)")
        }
        return object
    }

    /// Packets of one stream of a media file or URL: (dts in seconds, is keyframe).
    static func packets(of file: String, stream: String) throws -> [(dts: Double, key: Bool)] {
        let probe = try Tools.run("ffprobe", ["-v", "error", "-select_streams", stream, "-show_entries", "packet=dts_time,flags",
                                              "-of", "csv=p=0", file], timeout: 60)
        return probe.stdout.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: ",")
            guard parts.count >= 2, let dts = Double(parts[0]) else { return nil }
            return (dts, parts[1].contains("K"))
        }
    }
}

/// A raw TCP client for hostile-peer tests: sends exactly the bytes a test crafts.
final class RawSocket {
    let fd: Int32

    /// `receiveBuffer` shrinks the kernel receive buffer (a player that reads slowly).
    init(port: Int, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { close(fd); throw ToolError.missing("connection to port \(port)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Sends bytes; false once the peer has closed.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// Reads exactly `count` bytes within `timeout` seconds, or nil.
    func read(_ count: Int, timeout: TimeInterval = 5) -> [UInt8]? {
        var out: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while out.count < count, Date() < deadline {
            let n = recv(fd, &buffer, min(buffer.count, count - out.count), 0)
            if n > 0 { out += buffer[0..<n] } else if n == 0 { return nil }
        }
        return out.count == count ? out : nil
    }

    /// Plain RTMP handshake as a client.
    func handshake() -> Bool {
        guard send([3] + [UInt8](repeating: 0, count: 1536)), let reply = read(1 + 2 * 1536) else { return false }
        return send(Array(reply[1...1536]))
    }

    /// True when the server closes the connection within `timeout` seconds (reads drain data).
    func waitForClose(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while Date() < deadline {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { return true }
            if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK { return true }
        }
        return false
    }
}
