import ControlProtocol
import Foundation
import Logging
import NIOCore
import NIOPosix

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
    /// Upstream connections and relayed streams (intermediate and edge roles).
    public let upstreams: UpstreamManager
    /// Publish keys and play tokens (`AccessPolicy.swift`).
    public let access: AccessPolicy
    /// Shared HTTP outputs (LL-HLS, fMP4, HTTP-FLV) when `--http` is on.
    public let http: HTTPLiveOutputs?

    /// `group` runs the upstream connections (the RTMP server's group in `lsc-relay`).
    public init(configuration: RelayConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                logger: Logger = Logger(label: "relay")) {
        self.configuration = configuration
        self.logger = logger
        self.clients = ClientRegistry(maxConnections: configuration.maxConnections)
        self.access = AccessPolicy(publishKeys: configuration.publishKeys, publishKeysPath: configuration.publishKeysPath,
                                   playSigner: configuration.playSigner)
        let hub = StreamHub(events: events, gopCacheLimit: configuration.gopCacheLimit)
        self.hub = hub
        self.children = ChildRegistry(clusterSecret: configuration.clusterSecret)
        hub.addObserver(children)
        let events = self.events
        recorder = configuration.dvr.map { DVRRecorder(configuration: $0, hub: hub, events: events) }
        let upstreams = UpstreamManager(node: .init(hub: hub, events: events, children: children, configuration: configuration),
                                        group: group, gracePeriod: configuration.pullGracePeriod,
                                        pullTimeout: configuration.pullTimeout)
        self.upstreams = upstreams
        http = configuration.http.map {
            HTTPLiveOutputs(configuration: $0, relay: configuration, hub: hub, upstreams: upstreams, group: group)
        }
        if let http { hub.addObserver(http) }
    }

    public func hello() -> Hello {
        Hello(softwareVersion: LiveStreamCast.version, role: configuration.role.rawValue, app: configuration.app,
              rtmpListen: "\(configuration.host):\(configuration.port)",
              mediaListen: configuration.http.map { "\($0.host):\($0.port)" }, startedAt: startedAt)
    }

    public func snapshot() -> DataPlaneSnapshot {
        var streams = hub.snapshots()
        if let viewers = http?.viewerCounts {
            for index in streams.indices { streams[index].httpViewers = viewers[streams[index].name] ?? 0 }
        }
        return DataPlaneSnapshot(streams: streams, clientCounts: clients.countsByKind, children: children.children,
                                 upstreams: upstreams.snapshots, counters: clients.counters)
    }

    public func clientList() -> [ClientSnapshot] { clients.clients }

    public func execute(_ command: ControlCommand) async -> CommandOutcome {
        switch command {
        case .disconnectClient(let id):
            return clients.disconnect(id: id, reason: "disconnected through the admin API")
                ? .ok() : .failed(code: "not-found", message: "no client with id '\(id)'")
        case .startRecording(let stream):
            return recorder?.startRecording(stream) ?? .failed(code: "unsupported", message: "this relay runs without a DVR")
        case .stopRecording(let stream):
            return recorder?.stopRecording(stream) ?? .failed(code: "unsupported", message: "this relay runs without a DVR")
        case .connectUpstream, .disconnectUpstream, .resetUpstreams, .play, .stopPlay, .pull, .stopPull, .setIdleInterval:
            guard configuration.role != .origin else {
                return .failed(code: "unsupported", message: "an origin pulls from no upstream")
            }
            return upstreams.execute(command)
        }
    }
}
