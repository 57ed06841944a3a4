import AdminAPI
import ControlProtocol
import Foundation
import HighlightExport

/// The node the admin API fuzz target's router reads: a fixed snapshot with a stream, a
/// publisher and a player (listed on demand), one recording, and an export queue that decodes and validates job
/// bodies as `lsc-control` does but never runs them.
struct FuzzNode: NodeStateProvider {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let dvr = FuzzDVR()
    static let exports = FuzzExports()
    static let clients = [
        ClientSnapshot(id: "c1", kind: "publisher", remoteAddress: "127.0.0.1:5000", stream: "cam 1", connectedSince: start.addingTimeInterval(10)),
        ClientSnapshot(id: "c2", kind: "player", remoteAddress: "127.0.0.1:5001", stream: "cam 1", connectedSince: start.addingTimeInterval(10)),
    ]

    func state() -> NodeState {
        let since = FuzzNode.start.addingTimeInterval(10)
        let snapshot = DataPlaneSnapshot(
            streams: [StreamSnapshot(name: "cam 1", state: "live", source: StreamSource(kind: "publisher", clientId: "c1"),
                                     video: VideoInfo(codec: "h264", profile: "High", width: 320, height: 240, fps: 25),
                                     audio: AudioInfo(codec: "aac", sampleRate: 44100, channels: 2))],
            clientCounts: DataPlaneSnapshot.counts(of: FuzzNode.clients), takenAt: since)
        return NodeState(role: "origin", httpListen: "127.0.0.1:8080", controlStartedAt: FuzzNode.start,
                         now: FuzzNode.start.addingTimeInterval(42), linkUp: true,
                         hello: Hello(softwareVersion: "0.1.0", role: "origin", app: "live", rtmpListen: "0.0.0.0:1935",
                                      startedAt: FuzzNode.start),
                         snapshot: snapshot, snapshotGeneration: 1, apiRequests: [200: 3])
    }

    func disconnectClient(id: String) -> CommandOutcome? {
        id == "c1" ? .ok() : .failed(code: "not-found", message: "no client with id '\(id)'")
    }

    func clientList() -> Result<[ClientSnapshot], APIError> { .success(FuzzNode.clients) }
}

/// One recording; start/stop succeed for it and fail for other names.
struct FuzzDVR: DVRProvider {
    func recordings() -> [DVRRecordingDTO] {
        [DVRRecordingDTO(stream: "cam 1", startedAt: FuzzNode.start, duration: 40, availableFrom: 0, live: true, size: 1 << 20)]
    }

    func setRecording(stream: String, on: Bool) -> CommandOutcome? {
        stream == "cam 1" ? .ok() : .failed(code: "not-found", message: "no stream '\(stream)'")
    }
}

/// Decodes a job body (`{"output": ..., "items": [...]}`) with the real `HighlightItem` coding
/// and output-name rule; no job is ever queued.
struct FuzzExports: ExportJobsProvider {
    struct Request: Decodable {
        var output: String
        var items: [HighlightItem]
    }

    func submit(_ body: [UInt8]) -> Result<ExportJobDTO, APIError> {
        guard let request = try? JSONDecoder().decode(Request.self, from: Data(body)) else {
            return .failure(.badRequest("malformed job"))
        }
        do { try HighlightEditList.validateOutputName(request.output) } catch { return .failure(.badRequest("\(error)")) }
        return .failure(.badRequest("no sources"))
    }

    func jobs() -> [ExportJobDTO] { [] }
    func job(id: String) -> ExportJobDTO? { nil }
    func cancel(id: String) -> ExportJobDTO? { nil }
}
