import ControlProtocol
import Foundation
import Logging

/// The data plane of one node: configuration, streams, clients, and the control-link face
/// (`DataPlaneCommandHandler`) that `lsc-control` talks to.
public final class RelayNode: DataPlaneCommandHandler {
    public let configuration: RelayConfiguration
    public let hub: StreamHub
    /// Where data-plane events go; attach the control link here.
    public let events = ForwardingEventSink()
    let clients: ClientRegistry
    /// Downstream nodes registered with `FCAddChild`.
    public let children: ChildRegistry
    let logger: Logger
    public let startedAt = Date()
    /// The DVR recorder, when configured.
    public let recorder: DVRRecorder?

    public init(configuration: RelayConfiguration, logger: Logger = Logger(label: "relay")) {
        self.configuration = configuration
        self.logger = logger
        self.clients = ClientRegistry(maxConnections: configuration.maxConnections)
        let hub = StreamHub(events: events, gopCacheLimit: configuration.gopCacheLimit)
        self.hub = hub
        self.children = ChildRegistry(clusterSecret: configuration.clusterSecret)
        hub.addObserver(children)
        let events = self.events
        recorder = configuration.dvr.map { DVRRecorder(configuration: $0, hub: hub, events: events) }
    }

    public func hello() -> Hello {
        Hello(softwareVersion: LiveStreamCast.version, role: configuration.role.rawValue, app: configuration.app,
              rtmpListen: "\(configuration.host):\(configuration.port)", startedAt: startedAt)
    }

    public func snapshot() -> DataPlaneSnapshot {
        DataPlaneSnapshot(streams: hub.snapshots(), clients: clients.clients, children: children.children, counters: clients.counters)
    }

    public func execute(_ command: ControlCommand) async -> CommandOutcome {
        switch command {
        case .disconnectClient(let id):
            return clients.disconnect(id: id, reason: "disconnected through the admin API")
                ? .ok() : .failed(code: "not-found", message: "no client with id '\(id)'")
        case .startRecording(let stream):
            return recorder?.startRecording(stream) ?? .failed(code: "unsupported", message: "this relay runs without a DVR")
        case .stopRecording(let stream):
            return recorder?.stopRecording(stream) ?? .failed(code: "unsupported", message: "this relay runs without a DVR")
        default:
            return .failed(code: "unsupported", message: "this data plane does not support \(command)")
        }
    }
}
