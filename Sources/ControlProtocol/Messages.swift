import Foundation

/// First message on the control socket from each side.
public struct Hello: Codable, Sendable, Equatable {
    public var protocolVersion: Int
    /// Software version of the sender (`LiveStreamCast.version`).
    public var softwareVersion: String
    /// "origin", "intermediate" or "edge".
    public var role: String
    /// RTMP application name served (data plane only).
    public var app: String?
    /// RTMP listen address `host:port` (data plane only).
    public var rtmpListen: String?
    /// HTTP media listen address `host:port` (`lsc-relay --http`; nil when off).
    public var mediaListen: String?
    public var startedAt: Date
    public init(protocolVersion: Int = ControlProtocolVersion.current, softwareVersion: String, role: String,
                app: String? = nil, rtmpListen: String? = nil, mediaListen: String? = nil, startedAt: Date) {
        self.protocolVersion = protocolVersion; self.softwareVersion = softwareVersion; self.role = role
        self.app = app; self.rtmpListen = rtmpListen; self.mediaListen = mediaListen; self.startedAt = startedAt
    }
}

/// An upstream server the control plane asks the data plane to use.
public struct UpstreamTarget: Codable, Sendable, Equatable, Hashable {
    public var host: String
    public var port: Int
    /// `app` or `app/instance`.
    public var app: String
    /// RTMPS (TLS, certificate verified); absent (older control planes) means plain RTMP.
    public var tls: Bool?
    public init(host: String, port: Int, app: String, tls: Bool = false) {
        self.host = host; self.port = port; self.app = app; self.tls = tls ? true : nil
    }
    /// `host:port/app`, IPv6 hosts in brackets, `rtmps://` first for RTMPS; the id used in events and the API.
    public var id: String { (tls == true ? "rtmps://" : "") + (host.contains(":") ? "[\(host)]" : host) + ":\(port)/\(app)" }
}

/// Events the data plane sends as they happen (in addition to periodic snapshots).
public enum DataPlaneEvent: Codable, Sendable, Equatable {
    case streamPublished(name: String)
    case streamUnpublished(name: String)
    case clientConnected(ClientSnapshot)
    case clientDisconnected(id: String, reason: String)
    /// A player asked for a stream this node does not have locally (edge/intermediate: pull it).
    case streamDemanded(name: String)
    /// The last player of a pulled stream left and the grace period ended.
    case streamAbandoned(name: String)
    case upstreamConnected(server: String)
    case upstreamDisconnected(server: String, reason: String)
    /// `addStream` / `removeStream` received from an upstream server.
    case upstreamStreamAdded(server: String, stream: String)
    case upstreamStreamRemoved(server: String, stream: String)
    /// An upstream answered play (`NetStream.Play.Start`) for a stream.
    case upstreamPlayStarted(server: String, stream: String)
    /// An upstream refused play or the stream was not found.
    case upstreamPlayFailed(server: String, stream: String, reason: String)
    /// No media from the active upstream of `stream` for the idle interval.
    case upstreamIdle(server: String, stream: String)
    /// Recording state changed ("recording", "stopped", "degraded: ...").
    case recordingChanged(stream: String, state: String)
}

/// Commands the control plane sends; each carries an id echoed in its `CommandReply`.
public enum ControlCommand: Codable, Sendable, Equatable {
    case disconnectClient(id: String)
    case startRecording(stream: String)
    case stopRecording(stream: String)
    /// Open a connection to `server`: handshake, `connect`, `FCAddChild` (with the cluster secret).
    /// Answered by the event `upstreamConnected` once connected, or `upstreamDisconnected` when the
    /// attempt fails. The data plane never retries on its own: the control plane's failover state
    /// machine decides when and where to reconnect.
    case connectUpstream(UpstreamTarget)
    /// Close the connection to `server` and every play on it.
    case disconnectUpstream(UpstreamTarget)
    /// Close every upstream connection (the control plane restarted and rebuilds its view); every
    /// relayed stream that still has players is demanded again with `streamDemanded`.
    case resetUpstreams
    /// Play `stream` on the (connected) upstream `server` as a standby: its media is received and
    /// its latest GOP kept, but not relayed until `pull` names this server. Answered by the
    /// events `upstreamPlayStarted` or `upstreamPlayFailed`.
    case play(stream: String, server: UpstreamTarget)
    /// Stop playing `stream` on `server` (it left the stream's list of available servers).
    case stopPlay(stream: String, server: UpstreamTarget)
    /// Relay `stream` from `server` from now on (playing it there first if needed), splicing it
    /// into the local stream at a keyframe, with continuous timestamps, if another upstream fed it.
    case pull(stream: String, server: UpstreamTarget)
    /// Stop relaying `stream` from any upstream: every play of it ends and local players get
    /// `NetStream.Play.UnpublishNotify`.
    case stopPull(stream: String)
    /// Set the media idle interval (milliseconds) after which `upstreamIdle` is reported.
    case setIdleInterval(milliseconds: Int)
}

/// The data plane's answer to one command or `listClients` request.
public struct CommandReply: Codable, Sendable, Equatable {
    public var id: UInt64
    public var ok: Bool
    /// Machine-readable error code ("not-found", "bad-request", "too-large", ...) when `ok` is false.
    public var errorCode: String?
    public var message: String?
    /// Every RTMP connection, oldest first: only in the reply to `listClients` (absent otherwise).
    public var clients: [ClientSnapshot]?
    public init(id: UInt64, ok: Bool, errorCode: String? = nil, message: String? = nil, clients: [ClientSnapshot]? = nil) {
        self.id = id; self.ok = ok; self.errorCode = errorCode; self.message = message; self.clients = clients
    }
}

/// Everything the data plane writes on the control socket, one JSON object per line.
public enum DataPlaneMessage: Codable, Sendable, Equatable {
    case hello(Hello)
    case snapshot(DataPlaneSnapshot)
    case event(DataPlaneEvent)
    case reply(CommandReply)
}

/// Everything the control plane writes on the control socket, one JSON object per line.
public enum ControlPlaneMessage: Codable, Sendable, Equatable {
    case hello(Hello)
    case command(id: UInt64, ControlCommand)
    /// Asks for the client list (protocol 2): answered by a `reply` with this id whose `clients`
    /// holds every RTMP connection. A query, not a command: it changes nothing on the data plane.
    case listClients(id: UInt64)
}
