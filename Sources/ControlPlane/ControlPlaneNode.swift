import AdminAPI
import ControlLink
import ControlProtocol
import Failover
import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// `lsc-control`'s parts wired together: the control link to the data plane and the admin API
/// over it. `services` go into the executable's ServiceGroup.
public struct ControlPlaneNode: Sendable {
    public let link: ControlLinkClient
    public let http: AdminHTTPService
    /// `host.ini`, its reloads and the failover driver (on an origin: an empty topology).
    public let topology: TopologyService
    public var services: [any Service] { [ControlLinkService(client: link), topology, http] }

    /// Reconnection pace of a lost upstream group: quick at first, so that a group's secondary
    /// takes over about a second after its primary is lost (3 primary attempts first, as the seed
    /// says), then doubling per round while the group stays down, so that a dead machine is not
    /// hammered.
    static let retryDelay: Duration = .milliseconds(250)
    static let maximumRetryDelay: Duration = .seconds(4)

    /// Validates the configuration, connects nothing yet, and binds the HTTP server (so that a
    /// bind failure is reported at start-up).
    public init(configuration: ControlPlaneConfiguration, group: any EventLoopGroup) throws {
        try configuration.validate()
        let startedAt = Date()
        link = ControlLinkClient(path: configuration.controlSocket, group: group,
                                 hello: Hello(softwareVersion: LiveStreamCast.version, role: configuration.role, startedAt: startedAt),
                                 logger: Logger(label: "control.link"))
        do {
            topology = try TopologyService(role: configuration.role, hostINIPath: configuration.hostINI,
                                           configuration: FailoverConfiguration(idleInterval: configuration.idleInterval,
                                                                                 retryDelay: Self.retryDelay, maximumRetryDelay: Self.maximumRetryDelay),
                                           sender: link, events: configuration.hostINI == nil ? nil : link.subscribe())
        } catch {
            throw ControlPlaneError.invalidHostINI(error)
        }
        let requests = APIRequestCounter()
        let node = LinkedNodeState(link: link, role: configuration.role, httpListen: configuration.http.description,
                                   startedAt: startedAt, requests: requests)
        var environment = APIEnvironment(node: node)
        let states: @Sendable () -> [String: String] = {
            var states: [String: String] = [:]
            for stream in node.state().snapshot?.streams ?? [] where stream.recording {
                if let state = stream.recordingState { states[stream.name] = state }
            }
            return states
        }
        environment.register(DVRCatalog(mediaRoot: configuration.mediaRoot, states: states, send: { node.execute($0) }) as any DVRProvider,
                             as: (any DVRProvider).self)
        environment.register(MediaLibrary(mediaRoot: configuration.mediaRoot) as any MediaLibraryProvider, as: (any MediaLibraryProvider).self)
        environment.register(ExportJobs(mediaRoot: configuration.mediaRoot, limits: configuration.exportLimits) as any ExportJobsProvider, as: (any ExportJobsProvider).self)
        if let signer = configuration.playSigner {
            let minter = PlayURLMinter(signer: signer) {
                guard let hello = node.state().hello, let app = hello.app, let listen = hello.rtmpListen else { return nil }
                return (app, listen, hello.mediaListen)
            }
            environment.register(minter as any PlayURLProvider, as: (any PlayURLProvider).self)
        }
        environment.register(topology as any TopologyProvider, as: (any TopologyProvider).self)
        let router = AdminRouter(environment: environment, token: configuration.token, bodyLimit: configuration.bodyLimit,
                                 browserPolicy: BrowserRequestPolicy(listenHost: configuration.http.host, checksHost: configuration.token == nil))
        http = AdminHTTPService(configuration: configuration, router: router, requests: requests, logger: Logger(label: "api"))
        try http.start()
    }
}
