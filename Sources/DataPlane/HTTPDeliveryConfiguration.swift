import HTTPMedia
import NIOCore

/// The relay's HTTP media port (`lsc-relay --http`): where browsers, HTTP-FLV players and HTTP
/// caches get live streams, DVR rewind and files. Defaults are the documented ones.
public struct HTTPDeliveryConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// LL-HLS part and segment targets.
    public var muxer: FMP4Muxer.Configuration
    /// Complete segments each stream keeps in memory (and in its playlist).
    public var windowSegments: Int
    /// HTTP connections served at once; more are refused.
    public var maxConnections: Int
    /// A connection with no request and nothing sent for this long is closed.
    public var idleTimeout: TimeAmount
    /// Longest a blocking playlist reload or a preload-hinted part waits.
    public var blockingTimeout: TimeAmount
    /// A stream's shared HLS output is dropped this long after its last request.
    public var sessionIdleTimeout: TimeAmount
    /// `max-age` of segments and parts.
    public var segmentMaxAge: Int

    public init(host: String = "0.0.0.0", port: Int = 8935, muxer: FMP4Muxer.Configuration = .init(partTarget: 0.5, segmentTarget: 1.0),
                windowSegments: Int = 7, maxConnections: Int = 10_000, idleTimeout: TimeAmount = .seconds(30),
                blockingTimeout: TimeAmount = .seconds(6), sessionIdleTimeout: TimeAmount = .seconds(20), segmentMaxAge: Int = 60) {
        self.host = host
        self.port = port
        self.muxer = muxer
        self.windowSegments = windowSegments
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.blockingTimeout = blockingTimeout
        self.sessionIdleTimeout = sessionIdleTimeout
        self.segmentMaxAge = segmentMaxAge
    }
}
