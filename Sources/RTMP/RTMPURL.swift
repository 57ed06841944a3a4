/// `rtmp://host[:port]/app[/instance]/stream` split into its parts (the last path part is the stream).
public struct RTMPURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var app: String
    public var stream: String
    public var tcUrl: String

    public init?(_ text: String) {
        guard text.hasPrefix("rtmp://") else { return nil }
        let rest = text.dropFirst("rtmp://".count)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let authority = rest[..<slash]
        let path = rest[rest.index(after: slash)...]
        guard let lastSlash = path.lastIndex(of: "/") else { return nil }
        app = String(path[..<lastSlash])
        stream = String(path[path.index(after: lastSlash)...])
        if let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]) {
            host = String(authority[..<colon])
            self.port = port
        } else {
            host = String(authority)
            port = 1935
        }
        tcUrl = "rtmp://\(authority)/\(app)"
        guard !app.isEmpty, !stream.isEmpty else { return nil }
    }
}
