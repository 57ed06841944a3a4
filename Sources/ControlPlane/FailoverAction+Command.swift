import ControlProtocol
import Failover
import Topology

extension FailoverAction {
    /// The control command that carries out this action on the data plane; nil for a timer
    /// (`scheduleRetry`), which the driver runs itself.
    var command: ControlCommand? {
        switch self {
        case .connect(_, let server): .connectUpstream(UpstreamTarget(server))
        case .disconnect(let server): .disconnectUpstream(UpstreamTarget(server))
        case .scheduleRetry: nil
        case .play(let stream, let server): .play(stream: stream, server: UpstreamTarget(server))
        case .stopPlay(let stream, let server): .stopPlay(stream: stream, server: UpstreamTarget(server))
        case .streamFrom(let stream, let server): .pull(stream: stream, server: UpstreamTarget(server))
        case .stopStream(let stream): .stopPull(stream: stream)
        }
    }
}

extension UpstreamTarget {
    /// The control protocol's name for a `host.ini` server (the same `id`).
    init(_ server: UpstreamServer) {
        self.init(host: server.address.host, port: server.address.port, app: server.app, tls: server.address.tls)
    }
}
