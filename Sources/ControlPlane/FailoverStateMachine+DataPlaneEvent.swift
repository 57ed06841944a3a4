import ControlProtocol
import Failover
import Topology

extension FailoverStateMachine {
    /// What a data-plane event means to this machine; nil for events it does not follow and for
    /// servers that are not (or no longer) in `host.ini`.
    func input(for event: DataPlaneEvent) -> FailoverInput? {
        switch event {
        case .upstreamConnected(let id):
            return server(withID: id).map { .connected($0) }
        case .upstreamDisconnected(let id, let reason):
            guard let server = server(withID: id) else { return nil }
            // A connection that never came up is a failed attempt, not a lost connection.
            let attempting = groups.contains { $0.state == .connecting(server) }
            return attempting ? .connectFailed(server, reason: reason) : .disconnected(server, reason: reason)
        case .upstreamStreamAdded(let id, let stream):
            return server(withID: id).map { .streamAdded($0, stream: stream) }
        case .upstreamStreamRemoved(let id, let stream):
            return server(withID: id).map { .streamRemoved($0, stream: stream) }
        case .upstreamPlayStarted(let id, let stream):
            return server(withID: id).map { .playStarted($0, stream: stream) }
        case .upstreamPlayFailed(let id, let stream, let reason):
            return server(withID: id).map { .playFailed($0, stream: stream, reason: reason) }
        case .upstreamIdle(let id, let stream):
            return server(withID: id).map { .idle($0, stream: stream) }
        case .streamDemanded(let name):
            return .streamDemanded(name)
        case .streamAbandoned(let name):
            return .streamAbandoned(name)
        case .streamPublished, .streamUnpublished, .clientConnected, .clientDisconnected, .recordingChanged:
            return nil
        }
    }

    /// The configured server (primary or secondary of a group) whose `id` is `id`.
    func server(withID id: String) -> UpstreamServer? {
        for connection in groups {
            for server in [connection.group.primaryServer, connection.group.secondaryServer] where server.id == id {
                return server
            }
        }
        return nil
    }
}
