import FLV
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The HTTP outputs of every stream that HTTP clients asked for, fed from the hub's observer
/// path. A stream's shared output is attached to the hub like one player (so an edge pulls it
/// and keeps it through the grace period) and dropped after `sessionIdleTimeout` without requests.
public final class HTTPLiveOutputs: StreamObserver {
    private let sessions = NIOLockedValueBox<[String: HTTPLiveStream]>([:])
    private let hub: StreamHub
    private let upstreams: UpstreamManager
    let configuration: HTTPDeliveryConfiguration
    private let relay: RelayConfiguration
    private let group: any EventLoopGroup
    private let sweeper = NIOLockedValueBox<RepeatedTask?>(nil)
    private let logger = Logger(label: "relay.http")

    init(configuration: HTTPDeliveryConfiguration, relay: RelayConfiguration, hub: StreamHub, upstreams: UpstreamManager,
         group: any EventLoopGroup) {
        self.configuration = configuration
        self.relay = relay
        self.hub = hub
        self.upstreams = upstreams
        self.group = group
    }

    public func streamStarted(_ name: String) {}

    public func frame(_ frame: MediaFrame, stream: String) {
        sessions.withLockedValue { $0[stream] }?.consume(frame)
    }

    public func streamStopped(_ name: String) {
        sessions.withLockedValue { $0[name] }?.sourceStopped()
    }

    /// True when the node can serve `name` now or soon: published, or pulled from upstream.
    func canServe(_ name: String) -> Bool { hub.isPublished(name) || relay.role != .origin }

    func makeSubscriber(on loop: any EventLoop) -> HTTPViewerSubscriber {
        HTTPViewerSubscriber(eventLoop: loop, encodingKey: EncodingKey(chunkSize: relay.outgoingChunkSize, streamID: 1))
    }

    /// Attaches `subscriber` to `name` like an RTMP play (starting a pull where needed); returns
    /// the cache frames a new player starts from.
    func attach(_ subscriber: HTTPViewerSubscriber, to name: String) -> [MediaFrame] {
        let initial = hub.addPlayer(subscriber, to: name).initial
        if !hub.isPublished(name), relay.role != .origin { upstreams.demand(name) }
        return initial
    }

    func detach(_ subscriber: HTTPViewerSubscriber, from name: String) {
        guard let stream = hub.stream(named: name) else { return }
        hub.removePlayer(subscriber, from: stream)
    }

    /// The shared output of `name`, created (and attached) on first use.
    func session(for name: String, client: ObjectIdentifier? = nil) -> HTTPLiveStream {
        startSweeping()
        let (session, created) = sessions.withLockedValue { sessions -> (HTTPLiveStream, Bool) in
            if let existing = sessions[name] { return (existing, false) }
            let session = HTTPLiveStream(name: name, configuration: configuration, anchor: makeSubscriber(on: group.next()),
                                         maxLag: relay.playerMaxLag)
            sessions[name] = session
            return (session, true)
        }
        if created {
            logger.info("HTTP output started", metadata: ["stream": "\(name)"])
            session.seed(with: attach(session.anchor, to: name))
        }
        session.touch(client: client)
        return session
    }

    /// The shared output of `name` if HTTP clients already asked for it.
    func existingSession(_ name: String) -> HTTPLiveStream? { sessions.withLockedValue { $0[name] } }

    /// HTTP viewers by stream: streaming connections and recent HLS client connections.
    var viewerCounts: [String: Int] { sessions.withLockedValue { $0 }.mapValues(\.viewerCount) }

    private func startSweeping() {
        sweeper.withLockedValue { task in
            guard task == nil else { return }
            let period = TimeAmount.seconds(2)
            task = group.next().scheduleRepeatedTask(initialDelay: period, delay: period) { [weak self] _ in self?.sweep() }
        }
    }

    private func sweep() {
        let timeout = configuration.sessionIdleTimeout
        let idle = sessions.withLockedValue { sessions -> [HTTPLiveStream] in
            let idle = sessions.values.filter { $0.isIdle(timeout: timeout) }
            for session in idle { sessions[session.name] = nil }
            return idle
        }
        for session in idle {
            logger.info("HTTP output stopped: no requests", metadata: ["stream": "\(session.name)"])
            detach(session.anchor, from: session.name)
        }
    }

    func shutdown() {
        sweeper.withLockedValue { $0?.cancel(); $0 = nil }
    }
}
