import ControlProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The upstream side of an intermediate or edge node: one `UpstreamSession` per upstream server
/// the control plane asked for, the streams relayed from them, and the grace period after a
/// relayed stream's last player leaves.
///
/// It carries out the control plane's upstream commands and reports back through events; it makes
/// no failover decision itself (that is the control plane's `FailoverStateMachine`). The stream's
/// source in the hub changes only at a splice, so players stay attached from the first play to the
/// last, whichever upstream feeds them.
public final class UpstreamManager: Sendable {
    private struct Relayed {
        /// The upstream feeding the stream now, if any.
        var active: UpstreamTarget?
        /// The hub source id of the active upstream (a new one at every switch).
        var sourceID: String?
        /// When the stream was last seen without players.
        var unwatchedSince: NIODeadline?
        var abandonReported = false
        /// When players started waiting for the stream (it had no source then).
        var demandedAt = NIODeadline.now()
        var notFoundReported = false
    }

    private struct State {
        var sessions: [UpstreamTarget: UpstreamSession] = [:]
        var relayed: [String: Relayed] = [:]
        var idleInterval: TimeAmount = .seconds(1)
        var switches: UInt64 = 0
        var graceCheck: RepeatedTask?
    }

    /// The parts of the node the upstream side works with.
    struct NodeLinks: Sendable {
        var hub: StreamHub
        var events: any DataPlaneEventSink
        var children: ChildRegistry
        var configuration: RelayConfiguration
    }

    private let node: NodeLinks
    private let group: any EventLoopGroup
    private let state = NIOLockedValueBox(State())
    private let logger = Logger(label: "relay.pull")
    /// How long a relayed stream stays pulled after its last player leaves.
    let gracePeriod: TimeAmount
    /// How long players wait for a stream no upstream delivers before they hear StreamNotFound.
    let pullTimeout: TimeAmount

    init(node: NodeLinks, group: any EventLoopGroup, gracePeriod: TimeAmount, pullTimeout: TimeAmount) {
        self.node = node
        self.group = group
        self.gracePeriod = gracePeriod
        self.pullTimeout = pullTimeout
    }

    /// Stops every upstream connection (shutdown).
    public func shutdown() {
        let sessions = state.withLockedValue { state in
            state.graceCheck?.cancel()
            state.graceCheck = nil
            return Array(state.sessions.values)
        }
        for session in sessions { session.close(reason: "relay shutting down") }
    }

    // MARK: Demand from local players

    /// A player asked for `name`, which has no source here: remember it (so that it is abandoned
    /// after the grace period if nothing comes of it) and tell the control plane.
    func demand(_ name: String) {
        state.withLockedValue { state in
            if state.relayed[name] == nil { state.relayed[name] = Relayed() }
            startGraceCheck(&state)
        }
        node.events.emit(.streamDemanded(name: name))
    }

    // MARK: Commands

    func execute(_ command: ControlCommand) -> CommandOutcome {
        switch command {
        case .connectUpstream(let target):
            return connect(target)
        case .disconnectUpstream(let target):
            guard let session = state.withLockedValue({ $0.sessions.removeValue(forKey: target) }) else {
                return .failed(code: "not-found", message: "not connected to \(target.id)")
            }
            session.close(reason: "disconnected by the control plane")
            return .ok()
        case .resetUpstreams:
            let (sessions, demanded) = state.withLockedValue { state in
                let sessions = Array(state.sessions.values)
                state.sessions = [:]
                for name in state.relayed.keys {
                    state.relayed[name]?.active = nil
                    state.relayed[name]?.unwatchedSince = nil
                    state.relayed[name]?.abandonReported = false
                }
                return (sessions, state.relayed.keys.sorted())
            }
            for session in sessions { session.close(reason: "control plane reset") }
            for name in demanded where node.hub.hasPlayers(name) { node.events.emit(.streamDemanded(name: name)) }
            return .ok(message: "closed \(sessions.count) upstream connection(s)")
        case .play(let stream, let target):
            guard let session = session(for: target) else {
                node.events.emit(.upstreamPlayFailed(server: target.id, stream: stream, reason: "not connected"))
                return .failed(code: "not-found", message: "not connected to \(target.id)")
            }
            state.withLockedValue { state in
                if state.relayed[stream] == nil { state.relayed[stream] = Relayed() }
                startGraceCheck(&state)
            }
            session.play(stream)
            return .ok()
        case .stopPlay(let stream, let target):
            guard let session = session(for: target) else { return .ok(message: "not connected to \(target.id)") }
            streamLost(stream, from: target)
            state.withLockedValue { state in
                if state.relayed[stream]?.active == target { state.relayed[stream]?.active = nil }
            }
            session.stopPlay(stream)
            return .ok()
        case .pull(let stream, let target):
            return pull(stream, from: target)
        case .stopPull(let stream):
            return stopPull(stream)
        case .setIdleInterval(let milliseconds):
            guard milliseconds > 0 else { return .failed(code: "bad-request", message: "idle interval must be positive") }
            state.withLockedValue { $0.idleInterval = .milliseconds(Int64(milliseconds)) }
            return .ok()
        default:
            return .failed(code: "unsupported", message: "not an upstream command: \(command)")
        }
    }

    private func session(for target: UpstreamTarget) -> UpstreamSession? {
        state.withLockedValue { $0.sessions[target] }
    }

    private func connect(_ target: UpstreamTarget) -> CommandOutcome {
        if let existing = session(for: target) {
            // Already there: say so again, the control plane may have missed it.
            if existing.status.withLockedValue({ $0.state }) == "connected" {
                node.events.emit(.upstreamConnected(server: target.id))
            }
            return .ok(message: "already connected to \(target.id)")
        }
        let loop = group.next()
        let session = UpstreamSession(
            target: target, eventLoop: loop, links: node,
            idleInterval: { [state] in state.withLockedValue { $0.idleInterval } },
            onClose: { [weak self] closed in self?.sessionClosed(closed) },
            onStreamLost: { [weak self] stream, target in self?.streamLost(stream, from: target) })
        state.withLockedValue { $0.sessions[target] = session }
        logger.info("connecting to upstream", metadata: ["upstream": "\(target.id)"])
        session.open()
        return .ok()
    }

    /// The upstream `target` no longer has `stream` (its play was stopped by the control plane, or
    /// the upstream sent `UnpublishNotify`). When `target` fed the stream and no upstream can take
    /// over (none announces it any more, or, for upstreams that announce nothing such as
    /// nginx-rtmp, no other one plays it), the stream ends here as it ended at the origin: its players get
    /// `UnpublishNotify` and stay attached (`PublishNotify` when an upstream brings it back), the
    /// API reports it idle, and `--pull-timeout` runs again.
    func streamLost(_ stream: String, from target: UpstreamTarget) {
        let sourceID: String? = state.withLockedValue { state in
            guard let relayed = state.relayed[stream], relayed.active == target, let id = relayed.sourceID else { return nil }
            // Still announced (by any upstream, this one included: its play may just have been
            // lost, or its removeStream is still on the way), or played on another upstream that
            // announces nothing: not the end of the stream.
            let elsewhere = state.sessions.values.contains { session in
                let status = session.status.withLockedValue { $0 }
                guard status.state == "connected" else { return false }
                return status.announced.contains(stream)
                    || (session.target != target && status.announced.isEmpty && status.playing.contains(stream))
            }
            if !elsewhere { state.relayed[stream]?.demandedAt = .now() }
            return elsewhere ? nil : id
        }
        guard let sourceID, node.hub.isPublished(stream) else { return }
        logger.info("stream ended upstream; players told", metadata: ["stream": "\(stream)", "upstream": "\(target.id)"])
        node.hub.stopPublishing(stream, sourceID: sourceID)
    }

    private func sessionClosed(_ session: UpstreamSession) {
        state.withLockedValue { state in
            if state.sessions[session.target] === session { state.sessions[session.target] = nil }
            for (name, relayed) in state.relayed where relayed.active == session.target {
                // Players stay attached; the control plane picks the next upstream.
                state.relayed[name]?.active = nil
            }
        }
    }

    private func pull(_ stream: String, from target: UpstreamTarget) -> CommandOutcome {
        guard let session = session(for: target) else {
            return .failed(code: "not-found", message: "not connected to \(target.id)")
        }
        let (previous, sourceID): (UpstreamSession?, String) = state.withLockedValue { state in
            var relayed = state.relayed[stream] ?? Relayed()
            let previous = relayed.active.flatMap { $0 == target ? nil : state.sessions[$0] }
            state.switches &+= 1
            // A new source id at every switch: frames still in flight from the old play are refused.
            let sourceID = "upstream:\(target.id)#\(state.switches)"
            relayed.active = target
            relayed.sourceID = sourceID
            state.relayed[stream] = relayed
            startGraceCheck(&state)
            return (previous, sourceID)
        }
        previous?.deactivate(stream)
        session.activate(stream, sourceID: sourceID)
        logger.info("relaying stream", metadata: ["stream": "\(stream)", "upstream": "\(target.id)"])
        return .ok()
    }

    private func stopPull(_ stream: String) -> CommandOutcome {
        let (relayed, sessions) = state.withLockedValue { ($0.relayed.removeValue(forKey: stream), Array($0.sessions.values)) }
        for session in sessions { session.stopPlay(stream) }
        if let sourceID = relayed?.sourceID { node.hub.stopPublishing(stream, sourceID: sourceID) }
        logger.info("stopped relaying stream", metadata: ["stream": "\(stream)"])
        return .ok()
    }

    // MARK: Grace period

    private func startGraceCheck(_ state: inout State) {
        guard state.graceCheck == nil else { return }
        let period = TimeAmount.nanoseconds(min(max(gracePeriod.nanoseconds / 4, 100_000_000), 1_000_000_000))
        state.graceCheck = group.next().scheduleRepeatedTask(initialDelay: period, delay: period) { [weak self] _ in
            self?.checkAbandoned()
        }
    }

    /// Reports streams without players for the grace period (once each; the control plane then
    /// stops them with `stopPull`), and tells players of a stream that no upstream delivered
    /// within the pull timeout.
    private func checkAbandoned() {
        let now = NIODeadline.now()
        let names = state.withLockedValue { $0.relayed.keys.sorted() }
        let watched = Set(names.filter { node.hub.hasPlayers($0) })
        let published = Set(names.filter { node.hub.isPublished($0) })
        let (abandoned, missing): ([String], [String]) = state.withLockedValue { state in
            var abandoned: [String] = []
            var missing: [String] = []
            for name in names {
                guard var relayed = state.relayed[name] else { continue }
                if published.contains(name) {
                    relayed.demandedAt = now
                    relayed.notFoundReported = false
                } else if watched.contains(name), !relayed.notFoundReported, now - relayed.demandedAt >= pullTimeout {
                    relayed.notFoundReported = true
                    missing.append(name)
                }
                if watched.contains(name) {
                    relayed.unwatchedSince = nil
                    relayed.abandonReported = false
                } else if let since = relayed.unwatchedSince {
                    if !relayed.abandonReported, now - since >= gracePeriod {
                        relayed.abandonReported = true
                        abandoned.append(name)
                    }
                } else {
                    relayed.unwatchedSince = now
                }
                state.relayed[name] = relayed
            }
            return (abandoned, missing)
        }
        for name in missing {
            logger.warning("no upstream delivered the stream in time; players told StreamNotFound", metadata: ["stream": "\(name)"])
            node.hub.reportNotFound(name)
        }
        for name in abandoned {
            logger.info("no players left after the grace period", metadata: ["stream": "\(name)"])
            node.events.emit(.streamAbandoned(name: name))
        }
    }

    // MARK: Snapshot

    var snapshots: [UpstreamSnapshot] {
        state.withLockedValue { Array($0.sessions.values) }.map { session in
            let status = session.status.withLockedValue { $0 }
            return UpstreamSnapshot(server: session.target.id, state: status.state, streams: status.announced.sorted(),
                                    playing: status.playing.sorted(), feeding: status.feeding.sorted())
        }.sorted { $0.server < $1.server }
    }
}
