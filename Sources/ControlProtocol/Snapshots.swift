import Foundation

/// Video parameters of a stream, read from its metadata and AVC sequence header.
public struct VideoInfo: Codable, Sendable, Equatable {
    public var codec: String          // "h264", "hevc", "vp6", ...
    public var profile: String?       // "High", "Main", "Baseline", ...
    public var width: Int?
    public var height: Int?
    public var fps: Double?
    public init(codec: String, profile: String? = nil, width: Int? = nil, height: Int? = nil, fps: Double? = nil) {
        self.codec = codec; self.profile = profile; self.width = width; self.height = height; self.fps = fps
    }
}

/// Audio parameters of a stream, read from its metadata and AAC sequence header.
public struct AudioInfo: Codable, Sendable, Equatable {
    public var codec: String          // "aac", "mp3", ...
    public var sampleRate: Int?
    public var channels: Int?
    public init(codec: String, sampleRate: Int? = nil, channels: Int? = nil) {
        self.codec = codec; self.sampleRate = sampleRate; self.channels = channels
    }
}

/// Where a stream's media comes from on this node.
public struct StreamSource: Codable, Sendable, Equatable {
    /// "publisher" (a local encoder) or "upstream" (pulled from a parent node).
    public var kind: String
    /// Client id of the local publisher, when `kind == "publisher"`.
    public var clientId: String?
    /// `host:port/app` of the upstream server, when `kind == "upstream"`.
    public var upstream: String?
    public init(kind: String, clientId: String? = nil, upstream: String? = nil) {
        self.kind = kind; self.clientId = clientId; self.upstream = upstream
    }
}

/// One live stream on the data plane.
public struct StreamSnapshot: Codable, Sendable, Equatable {
    public var name: String
    /// "live" while media flows, "idle" when a publisher is gone but players wait for it.
    public var state: String
    public var source: StreamSource?
    public var video: VideoInfo?
    public var audio: AudioInfo?
    /// Bits per second over the last 10 s.
    public var bitrateIn: Int
    public var bitrateOut: Int
    public var players: Int
    public var bytesIn: UInt64
    public var bytesOut: UInt64
    public var publishingSince: Date?
    /// True while the DVR records this stream.
    public var recording: Bool
    /// DVR state in words when recording is on: "recording" or "degraded: <why>".
    public var recordingState: String?
    /// HTTP viewers: HTTP-FLV and fMP4 connections (each also counted in `players`) and HLS client
    /// connections that asked for a playlist or part in the last 10 s (`players` counts the
    /// stream's shared LL-HLS output once; behind an HTTP cache these are the cache's connections).
    public var httpViewers: Int?
    /// Play URLs, added by the admin API (not sent by the data plane).
    public var playUrls: PlayURLs?
    public init(name: String, state: String, source: StreamSource? = nil, video: VideoInfo? = nil, audio: AudioInfo? = nil,
                bitrateIn: Int = 0, bitrateOut: Int = 0, players: Int = 0, bytesIn: UInt64 = 0, bytesOut: UInt64 = 0,
                publishingSince: Date? = nil, recording: Bool = false, recordingState: String? = nil) {
        self.recordingState = recordingState
        self.name = name; self.state = state; self.source = source; self.video = video; self.audio = audio
        self.bitrateIn = bitrateIn; self.bitrateOut = bitrateOut; self.players = players
        self.bytesIn = bytesIn; self.bytesOut = bytesOut; self.publishingSince = publishingSince; self.recording = recording
    }
}

/// One RTMP connection on the data plane.
public struct ClientSnapshot: Codable, Sendable, Equatable {
    public var id: String
    /// "publisher", "player", "child" (a registered downstream node) or "connecting".
    public var kind: String
    public var remoteAddress: String
    public var stream: String?
    public var bytesIn: UInt64
    public var bytesOut: UInt64
    public var connectedSince: Date
    public init(id: String, kind: String, remoteAddress: String, stream: String? = nil,
                bytesIn: UInt64 = 0, bytesOut: UInt64 = 0, connectedSince: Date) {
        self.id = id; self.kind = kind; self.remoteAddress = remoteAddress; self.stream = stream
        self.bytesIn = bytesIn; self.bytesOut = bytesOut; self.connectedSince = connectedSince
    }
}

/// A downstream node registered with `FCAddChild`.
public struct ChildSnapshot: Codable, Sendable, Equatable {
    public var clientId: String
    public var remoteAddress: String
    public var app: String?
    public var registeredSince: Date
    public init(clientId: String, remoteAddress: String, app: String? = nil, registeredSince: Date) {
        self.clientId = clientId; self.remoteAddress = remoteAddress; self.app = app; self.registeredSince = registeredSince
    }
}

/// Connection to one upstream server, as the data plane sees it.
public struct UpstreamSnapshot: Codable, Sendable, Equatable {
    /// `host:port/app[/instance]`.
    public var server: String
    /// "connecting", "connected", "registered", "disconnected".
    public var state: String
    /// Streams this upstream announced with `addStream` (its publisher list).
    public var streams: [String]
    /// Streams played on this upstream (standby or active).
    public var playing: [String]
    /// Streams relayed from this upstream right now (the active source).
    public var feeding: [String]
    public init(server: String, state: String, streams: [String] = [], playing: [String] = [], feeding: [String] = []) {
        self.server = server; self.state = state; self.streams = streams; self.playing = playing; self.feeding = feeding
    }
}

/// Process-wide counters of the data plane.
public struct DataPlaneCounters: Codable, Sendable, Equatable {
    public var bytesIn: UInt64
    public var bytesOut: UInt64
    /// Connections refused before they were served, by reason ("max-connections", ...).
    public var connectionsRefused: [String: UInt64]
    /// Connections closed by the relay, by reason ("slow-player", "protocol-error", "handshake-timeout", ...).
    public var connectionsDropped: [String: UInt64]
    public init(bytesIn: UInt64 = 0, bytesOut: UInt64 = 0, connectionsRefused: [String: UInt64] = [:], connectionsDropped: [String: UInt64] = [:]) {
        self.bytesIn = bytesIn; self.bytesOut = bytesOut; self.connectionsRefused = connectionsRefused; self.connectionsDropped = connectionsDropped
    }
}
