/// Where a stream can be played from one node: RTMP, and the data plane's HTTP media port
/// (HTTP-FLV, progressive fMP4, LL-HLS, DVR rewind, the player page).
public struct PlayURLs: Codable, Sendable, Equatable {
    public var rtmp: String?
    public var flv: String?
    public var mp4: String?
    public var hls: String?
    public var dvr: String?
    public var player: String?

    /// The URLs of `stream` on a node serving `app`, whose listen addresses are `rtmpListen` and
    /// `mediaListen` (`host:port`); a wildcard listen host is replaced by `host` (the host the
    /// API client reached us by), so that the URLs work from where they are read.
    public init(app: String, stream: String, rtmpListen: String?, mediaListen: String?, host: String?) {
        func address(_ listen: String?) -> String? {
            guard let listen, let colon = listen.lastIndex(of: ":") else { return nil }
            var listenHost = String(listen[..<colon])
            let port = listen[listen.index(after: colon)...]
            if listenHost == "0.0.0.0" || listenHost == "::" || listenHost == "[::]" || listenHost.isEmpty {
                listenHost = host ?? "127.0.0.1"
            }
            if listenHost.contains(":"), !listenHost.hasPrefix("[") { listenHost = "[\(listenHost)]" }
            return "\(listenHost):\(port)"
        }
        let path = Self.escaped(app) + "/" + Self.escaped(stream)
        rtmp = address(rtmpListen).map { "rtmp://\($0)/\(path)" }
        let http = address(mediaListen).map { "http://\($0)/\(path)" }
        flv = http.map { $0 + ".flv" }
        mp4 = http.map { $0 + ".mp4" }
        hls = http.map { $0 + "/index.m3u8" }
        dvr = http.map { $0 + "/dvr.m3u8" }
        player = http
    }

    private static func escaped(_ component: String) -> String {
        var out = ""
        for byte in component.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 0xF)])"
            }
        }
        return out
    }
}
