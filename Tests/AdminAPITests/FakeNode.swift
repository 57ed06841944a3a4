import Testing
import AdminAPI
import ControlProtocol
import Foundation
import Synchronization

/// An in-memory `NodeStateProvider` for router tests.
final class FakeNode: NodeStateProvider {
    let current: Mutex<NodeState>
    let disconnected = Mutex<[String]>([])
    /// What `clientList()` answers: the sample clients, or an error (the data plane did not answer).
    let listAnswer = Mutex<Result<[ClientSnapshot], APIError>>(.success(FakeNode.sampleClients))
    /// How many times the client list was asked for.
    let listRequests = Mutex(0)

    init(linkUp: Bool = true, snapshot: DataPlaneSnapshot? = FakeNode.sampleSnapshot) {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        current = Mutex(NodeState(
            role: "origin", httpListen: "127.0.0.1:8080", controlStartedAt: start, now: start.addingTimeInterval(42),
            linkUp: linkUp,
            hello: Hello(softwareVersion: "0.1.0", role: "origin", app: "live", rtmpListen: "0.0.0.0:1935", mediaListen: "0.0.0.0:8935",
                         startedAt: start),
            snapshot: linkUp ? snapshot : nil, apiRequests: [200: 3, 404: 1]))
    }

    func state() -> NodeState { current.withLock { $0 } }

    func disconnectClient(id: String) -> CommandOutcome? {
        guard state().linkUp else { return nil }
        guard id == "c1" else { return .failed(code: "not-found", message: "no client with id '\(id)'") }
        disconnected.withLock { $0.append(id) }
        return .ok()
    }

    func clientList() -> Result<[ClientSnapshot], APIError> {
        listRequests.withLock { $0 += 1 }
        return listAnswer.withLock { $0 }
    }

    static let sampleClients: [ClientSnapshot] = {
        let since = Date(timeIntervalSince1970: 1_800_000_010)
        return [ClientSnapshot(id: "c1", kind: "publisher", remoteAddress: "127.0.0.1:5000", stream: "cam 1", connectedSince: since),
                ClientSnapshot(id: "c2", kind: "player", remoteAddress: "127.0.0.1:5001", stream: "cam 1", connectedSince: since)]
    }()

    static let sampleSnapshot: DataPlaneSnapshot = {
        let since = Date(timeIntervalSince1970: 1_800_000_010)
        return DataPlaneSnapshot(
            streams: [StreamSnapshot(name: "cam 1", state: "live", source: StreamSource(kind: "publisher", clientId: "c1"),
                                     video: VideoInfo(codec: "h264", profile: "High", width: 320, height: 240, fps: 25),
                                     audio: AudioInfo(codec: "aac", sampleRate: 44100, channels: 2),
                                     bitrateIn: 500_000, bitrateOut: 1_000_000, players: 2, bytesIn: 1000, bytesOut: 2000,
                                     publishingSince: since)],
            clientCounts: DataPlaneSnapshot.counts(of: sampleClients),
            counters: DataPlaneCounters(bytesIn: 1000, bytesOut: 2000, connectionsRefused: ["max-connections": 1],
                                        connectionsDropped: ["slow-player": 2]),
            takenAt: since)
    }()
}

func json(_ response: APIResponse) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
}
