import NIOCore
import NIOSSL
import PlayAuthorization
import RTMP

/// The node role: which tier this relay serves in the topology.
public enum NodeRole: String, Sendable, CaseIterable {
    case origin, intermediate, edge

    /// The RTMP application served by default, as in the seed (`livestreamcast_<role>`).
    public var defaultApp: String { "livestreamcast_\(rawValue)" }
}

/// Everything `lsc-relay` is configured with. Defaults are the documented ones (README, `--help`).
public struct RelayConfiguration: Sendable {
    public var role: NodeRole
    /// RTMP application name; a `connect` to another app is rejected.
    public var app: String
    public var host: String
    public var port: Int
    /// Limits on what one peer can make the relay hold.
    public var chunkLimits: ChunkDecoderLimits
    /// Seconds a peer has to complete the handshake.
    public var handshakeTimeout: TimeAmount
    /// How long a connection may stay after its handshake without publishing, playing or
    /// registering as a child node (default 30 s); then it is closed (counted as `idle-timeout`).
    public var idleTimeout: TimeAmount = .seconds(30)
    /// Merge window for delivery (`--merge-write MS`): on a stream with at least
    /// `mergeWriteMinPlayers` players, frames its source sends within the window reach the players
    /// as one batch, one write per player. Zero: one batch per read from the source.
    public var mergeWrite: TimeAmount = .milliseconds(40)
    /// Streams with fewer players than this relay at the end of every read
    /// (`--merge-write-min-players`): the window is paid in latency only where it saves CPU.
    public var mergeWriteMinPlayers = 100

    var merge: MergePolicy { MergePolicy(window: mergeWrite, minimumPlayers: mergeWriteMinPlayers) }
    /// Connections served at once; further ones are refused.
    public var maxConnections: Int
    /// Bytes queued to one player before it skips to the next keyframe.
    public var playerQueueLimit: Int
    /// How long a player may stay behind (skipping) before it is disconnected.
    public var playerMaxLag: TimeAmount
    /// Chunk size the relay sends with (announced to every peer at connect).
    public var outgoingChunkSize: Int
    /// Largest cached GOP; past it the cache restarts at the next keyframe.
    public var gopCacheLimit: Int
    /// Event loop threads (defaults to the number of cores).
    public var threads: Int
    /// Shared secret a child node must present in `FCAddChild`; nil accepts any child.
    public var clusterSecret: String?
    /// How long a stream pulled from upstream stays pulled after its last player leaves.
    public var pullGracePeriod: TimeAmount = .seconds(5)
    /// How long players of a stream wait for an upstream to deliver it before they hear
    /// `NetStream.Play.StreamNotFound` (they stay attached).
    public var pullTimeout: TimeAmount = .seconds(10)
    /// TLS client context for `rtmps://` upstreams (trust roots: `--tls-ca` or the system store),
    /// made on the first `rtmps://` connection.
    public var upstreamTLS: UpstreamTLS?
    /// DVR recording; nil: no recorder (start/stop recording commands are refused).
    public var dvr: DVRRecorder.Configuration?
    /// Media root served by VOD playback (`mp4:exports/…`, `mp4:sources/…`, `mp4:dvr/…`); nil:
    /// the DVR's media root, and no VOD without a DVR either.
    public var mediaRoot: String?
    /// The HTTP media port (`--http`); nil: off.
    public var http: HTTPDeliveryConfiguration?
    /// Who may publish: the parsed `--publish-keys` file and its path (re-read on SIGHUP); nil keys: open.
    public var publishKeys: PublishKeys?
    public var publishKeysPath: String?
    /// `--publish open`: an origin on a non-loopback address accepts any publisher on purpose.
    public var publishOpen = false
    /// `--play-secret-file`: players need a signed `?expires=…&token=…`.
    public var playSigner: PlayTokenSigner?

    /// Why this configuration must not start, if it must not: an origin reachable from other
    /// hosts that would let anyone publish any name (secure by default).
    public var publishPolicyProblem: String? {
        guard role == .origin, publishKeys == nil, !publishOpen, !Self.isLoopback(host) else { return nil }
        return "an origin listening on \(host) (not loopback) needs --publish-keys FILE, or --publish open to let anyone publish"
    }

    /// 127.0.0.0/8, ::1 and `localhost`.
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }

    public init(role: NodeRole = .origin, app: String? = nil, host: String = "0.0.0.0", port: Int = 1935,
                chunkLimits: ChunkDecoderLimits = .init(), handshakeTimeout: TimeAmount = .seconds(5),
                maxConnections: Int = 10_000, playerQueueLimit: Int = 4 << 20, playerMaxLag: TimeAmount = .seconds(10),
                outgoingChunkSize: Int = 4096, gopCacheLimit: Int = 16 << 20, threads: Int = System.coreCount,
                clusterSecret: String? = nil, dvr: DVRRecorder.Configuration? = nil, mediaRoot: String? = nil) {
        self.dvr = dvr
        self.mediaRoot = mediaRoot ?? dvr?.mediaRoot
        self.role = role
        self.app = app ?? role.defaultApp
        self.host = host
        self.port = port
        self.chunkLimits = chunkLimits
        self.handshakeTimeout = handshakeTimeout
        self.maxConnections = maxConnections
        self.playerQueueLimit = playerQueueLimit
        self.playerMaxLag = playerMaxLag
        self.outgoingChunkSize = outgoingChunkSize
        self.gopCacheLimit = gopCacheLimit
        self.threads = threads
        self.clusterSecret = clusterSecret
    }
}
