/// Commands an RTMP client sends (a player, or a relay pulling from its upstream).
public enum ClientRequests {
    /// `connect` to `app`, announcing the usual codec capabilities (AAC, MP3; H.264, VP6) and,
    /// when `enhanced` is given, the E-RTMP codecs and capsEx (a relay pulling from its upstream).
    /// A relay pulling from its parent adds the cluster secret (`clusterSecretProperty`), which
    /// lets its plays through the parent's `--play-secret-file` check without tokens.
    public static func connect(transactionID: Double = 1, app: String, tcUrl: String,
                               enhanced: EnhancedCapabilities? = nil, clusterSecret: String? = nil) -> CommandMessage {
        let legacy: [(String, AMF0Value)] = [
            ("app", .string(app)), ("flashVer", "LNX 9,0,124,2"), ("tcUrl", .string(tcUrl)), ("fpad", false),
            ("capabilities", 15), ("audioCodecs", 4071), ("videoCodecs", 252), ("videoFunction", 1), ("objectEncoding", 0),
        ]
        var object = legacy.map { AMF0Property($0.0, $0.1) } + (enhanced?.properties ?? [])
        if let clusterSecret { object.append(AMF0Property(clusterSecretProperty, .string(clusterSecret))) }
        return CommandMessage(name: "connect", transactionID: transactionID, commandObject: .object(object))
    }

    /// The `connect` command-object property carrying a child relay's cluster secret.
    public static let clusterSecretProperty = "lscClusterSecret"

    /// `rtmp://host:port/app`, IPv6 hosts in brackets.
    public static func tcUrl(host: String, port: Int, app: String) -> String {
        "rtmp://\(host.contains(":") ? "[\(host)]" : host):\(port)/\(app)"
    }

    public static func createStream(transactionID: Double) -> CommandMessage {
        CommandMessage(name: "createStream", transactionID: transactionID)
    }

    /// `play` of a live stream (start -1000: live, as rtmpdump and ffmpeg send it); goes on the
    /// message stream `createStream` returned.
    public static func play(_ name: String, start: Double = -1000) -> CommandMessage {
        CommandMessage(name: "play", transactionID: 0, arguments: [.string(name), .number(start)])
    }

    /// `releaseStream` (FMLE, ffmpeg): asks the server to drop a stale publisher of `name` before publishing.
    public static func releaseStream(_ name: String, transactionID: Double) -> CommandMessage {
        CommandMessage(name: "releaseStream", transactionID: transactionID, arguments: [.string(name)])
    }

    /// `FCPublish` (seed API): announces the publish of `name`; the server answers `onFCPublish`.
    public static func fcPublish(_ name: String, transactionID: Double) -> CommandMessage {
        CommandMessage(name: "FCPublish", transactionID: transactionID, arguments: [.string(name)])
    }

    /// `publish` of a live stream (RTMP spec §7.2.2.6); goes on the message stream `createStream` returned.
    public static func publish(_ name: String, type: String = "live") -> CommandMessage {
        CommandMessage(name: "publish", transactionID: 0, arguments: [.string(name), .string(type)])
    }

    /// `deleteStream` of a message stream created with `createStream`.
    public static func deleteStream(_ streamID: UInt32, transactionID: Double = 0) -> CommandMessage {
        CommandMessage(name: "deleteStream", transactionID: transactionID, arguments: [.number(Double(streamID))])
    }

    /// `FCAddChild`: a downstream node registers with its parent (seed API), presenting the
    /// cluster secret when one is configured.
    public static func addChild(transactionID: Double, secret: String?, app: String) -> CommandMessage {
        var properties = [AMF0Property("app", .string(app))]
        if let secret { properties.insert(AMF0Property("secret", .string(secret)), at: 0) }
        return CommandMessage(name: "FCAddChild", transactionID: transactionID, arguments: [.object(properties)])
    }
}
