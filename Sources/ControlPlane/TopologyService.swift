import ControlLink
import Failover
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Topology
import UnixSignals

/// The node's upstream topology: the `host.ini` of an intermediate or edge node, its reloads
/// (SIGHUP and the API), and the failover driver that acts on it. An origin has no `host.ini`
/// and no driver; it still answers the topology API and shrugs off SIGHUP.
public final class TopologyService: Service, Sendable {
    /// A `host.ini` in use and when it was read.
    struct Loaded: Sendable {
        var configuration: HostConfiguration
        var loadedAt: Date
    }

    /// Why a reload changed nothing.
    public enum ReloadError: Error, Sendable, Equatable {
        /// This node runs without a `host.ini` (an origin).
        case noHostINI
        /// The file is unreadable or has bad lines; the running configuration is kept.
        case invalid(HostINILoadError)
    }

    public let role: String
    /// The `host.ini` path; nil on an origin.
    public let hostINIPath: String?
    /// The failover driver; nil on an origin.
    public let driver: FailoverDriver?
    let idleInterval: Duration
    private let loaded: Mutex<Loaded?>
    private let events: AsyncStream<ControlLinkEvent>?
    private let now: @Sendable () -> Date
    private let logger: Logger

    /// Reads `hostINIPath` (refusing a bad file) and prepares the driver; nothing is sent before
    /// `run`.
    ///
    /// - Parameters:
    ///   - sender: where the driver's commands go (the control link).
    ///   - events: the control link's events (`ControlLinkClient.subscribe()`), taken before the
    ///     link runs so that its first hello is seen.
    public init(role: String, hostINIPath: String?, configuration: FailoverConfiguration,
                sender: any ControlCommandSender, events: AsyncStream<ControlLinkEvent>?,
                now: @escaping @Sendable () -> Date = { Date() },
                logger: Logger = Logger(label: "control.topology")) throws(HostINILoadError) {
        self.role = role
        self.hostINIPath = hostINIPath
        self.idleInterval = configuration.idleInterval
        self.events = events
        self.now = now
        self.logger = logger
        if let hostINIPath {
            let configurationFile = try HostINILoader.load(hostINIPath).get()
            loaded = Mutex(Loaded(configuration: configurationFile, loadedAt: now()))
            driver = FailoverDriver(groups: configurationFile.groups, configuration: configuration, sender: sender,
                                    now: now, logger: Logger(label: "control.failover"))
            logger.info("host.ini loaded", metadata: ["file": "\(hostINIPath)", "groups": "\(configurationFile.groups.count)"])
        } else {
            loaded = Mutex(nil)
            driver = nil
        }
    }

    /// The `host.ini` in use, if any.
    var current: Loaded? { loaded.withLock { $0 } }

    /// Re-reads the same `host.ini`. A good file replaces the configuration and reconfigures the
    /// failover machine (groups that stay keep their connections); a bad one changes nothing.
    public func reloadHostINI() -> Result<HostConfiguration, ReloadError> {
        guard let hostINIPath, let driver else { return .failure(.noHostINI) }
        switch HostINILoader.load(hostINIPath) {
        case .failure(let error):
            logger.error("host.ini reload rejected; the running configuration is kept",
                         metadata: ["file": "\(hostINIPath)", "errors": "\(error.lines.count)"])
            for line in error.lines { logger.error("\(line)") }
            return .failure(.invalid(error))
        case .success(let configuration):
            loaded.withLock { $0 = Loaded(configuration: configuration, loadedAt: now()) }
            driver.reconfigure(configuration.groups)
            logger.info("host.ini reloaded", metadata: ["file": "\(hostINIPath)", "groups": "\(configuration.groups.count)"])
            return .success(configuration)
        }
    }

    /// Drives failover from the control link's events and reloads on SIGHUP, until graceful
    /// shutdown.
    public func run() async throws {
        // Trapped before anything else runs: from here on SIGHUP reloads instead of killing.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await _ in hangups {
                        if case .failure(.noHostINI) = self.reloadHostINI() {
                            self.logger.notice("SIGHUP: this node has no host.ini to reload")
                        }
                    }
                }
                if let driver = self.driver {
                    group.addTask { await driver.run() }
                    if let events = self.events {
                        group.addTask { for await event in events { driver.handle(event) } }
                    }
                }
            }
        }
    }
}
