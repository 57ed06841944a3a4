import Foundation

/// What `POST /api/v1/play-urls` needs: the control plane's signer of play URLs (the same
/// secret and rule the relay verifies with under `--play-secret-file`).
public protocol PlayURLProvider: Sendable {
    /// Mints URLs for `request`; `host` is the request's `Host` (its name is used when the data
    /// plane listens on a wildcard address). 400 for a bad stream name or TTL, 503 while the
    /// data plane has not said which app and address it serves.
    func mint(_ request: PlayURLRequest, host: String?) -> Result<PlayURLResponse, APIError>
}

/// The body of `POST /api/v1/play-urls`.
public struct PlayURLRequest: Codable, Sendable, Equatable {
    /// A live stream name (`livestream`, `mp4:livestream.f4v`) or a VOD name (`mp4:exports/goal-1.f4v`).
    public var stream: String
    /// Seconds the URL stays valid (default 3600, at most 7 days).
    public var ttl: Int?
    public init(stream: String, ttl: Int? = nil) { self.stream = stream; self.ttl = ttl }
}

/// A minted play URL.
public struct PlayURLResponse: Codable, Sendable, Equatable {
    public var stream: String
    /// The application the token is signed for.
    public var app: String
    /// Unix seconds until which the token is valid (inclusive).
    public var expires: Int64
    public var expiresAt: Date
    /// `expires=<unix>&token=<hex>`: append it to any play URL of the stream (RTMP or HTTP).
    public var query: String
    /// `rtmp://host:port/app/stream?expires=…&token=…`
    public var rtmp: String
    /// The same stream over the data plane's HTTP delivery, when it has one.
    public var http: [String]
    public init(stream: String, app: String, expires: Int64, expiresAt: Date, query: String, rtmp: String, http: [String] = []) {
        self.stream = stream; self.app = app; self.expires = expires; self.expiresAt = expiresAt; self.query = query
        self.rtmp = rtmp; self.http = http
    }
}
