import Foundation
import Topology

/// The seed's failover ("Failover" in the FMS guide) as a value: inputs in, actions out, no
/// clocks or sockets (time is passed in, timers are actions).
///
///     start ─▶ connect every group (primary first)
///     player asks for S ─▶ play S on every connected server whose group has S
///     first server to answer ─▶ stream S from it; later answers join the list in answer order
///     S idle / refused / removed / server lost ─▶ drop that server from S's list, stream from
///                                                  the next one in the list
///     group lost ─▶ in the background retry its primary 3 times, then its secondary, and round
///     server back ─▶ play S there again; when it answers it joins the bottom of S's list
///
/// A node stays on a server until the next failover. A group whose server has announced no
/// streams at all (a stock upstream that ignores `FCAddChild`) is asked to play anything.
public struct FailoverStateMachine: Sendable {
    public private(set) var configuration: FailoverConfiguration
    /// Upstream groups in `host.ini` order.
    public private(set) var groups: [GroupConnection]
    /// Streams this node relays or wants to relay, by name.
    public private(set) var streams: [String: StreamSources]
    /// The last `configuration.historyLimit` source changes, oldest first.
    public private(set) var history: [FailoverRecord]

    /// A machine that has not started; `history` carries the records of an earlier machine over
    /// (a control link that comes back starts a fresh machine but keeps the failover history).
    public init(groups: [ServerGroup], configuration: FailoverConfiguration = FailoverConfiguration(),
                history: [FailoverRecord] = []) {
        self.configuration = configuration
        self.groups = groups.map(GroupConnection.init)
        self.streams = [:]
        self.history = Array(history.suffix(configuration.historyLimit))
    }

    /// Servers that have a stream, per stream, in the order the API shows: the active server
    /// first, then the rest of the list.
    public func sources(of stream: String) -> StreamSources? { streams[stream] }

    /// Keeps `error` (nil: clears it) on the groups `server` belongs to, for the API.
    private mutating func recordError(_ error: String?, of server: UpstreamServer) {
        for index in groups.indices where groups[index].contains(server) { groups[index].lastError = error }
    }

    /// Feeds one input; returns what the driver must do, in order.
    public mutating func handle(_ input: FailoverInput, at now: Date) -> [FailoverAction] {
        switch input {
        case .start:
            return groups.indices.flatMap { startConnecting(groupAt: $0) }
        case .connected(let server):
            recordError(nil, of: server)
            return connected(server)
        case .connectFailed(let server, let reason):
            recordError("connect to \(server.id) failed: \(reason)", of: server)
            return connectionLost(server, wasUp: false, reason: nil, at: now)
        case .disconnected(let server, let reason):
            recordError("upstream disconnected: \(reason)", of: server)
            return connectionLost(server, wasUp: true, reason: "upstream disconnected: \(reason)", at: now)
        case .retryDue(let label):
            return retry(label)
        case .streamAdded(let server, let stream):
            return streamAdded(stream, on: server)
        case .streamRemoved(let server, let stream):
            return streamRemoved(stream, on: server, at: now)
        case .streamDemanded(let stream):
            return demand(stream)
        case .streamAbandoned(let stream):
            guard streams.removeValue(forKey: stream) != nil else { return [] }
            return [.stopStream(stream)]
        case .playStarted(let server, let stream):
            return playStarted(stream, on: server, at: now)
        case .playFailed(let server, let stream, let reason):
            return drop(server, from: stream, reason: "play failed: \(reason)", at: now)
        case .idle(let server, let stream):
            // The play stays open: when media comes back on it the data plane says so again
            // (`playStarted`), and the server rejoins the bottom of the list as the seed wants.
            return drop(server, from: stream, reason: "idle for \(configuration.idleIntervalMilliseconds) ms",
                        stopPlay: false, askAgainIfAlone: true, at: now)
        case .reconfigure(let newGroups):
            return reconfigure(newGroups, at: now)
        }
    }

    // MARK: Connections

    private mutating func startConnecting(groupAt index: Int) -> [FailoverAction] {
        guard case .idle = groups[index].state else { return [] }
        let server = groups[index].group.primaryServer
        groups[index].state = .connecting(server)
        return [.connect(group: groups[index].group.label, server: server)]
    }

    private mutating func connected(_ server: UpstreamServer) -> [FailoverAction] {
        guard let index = groups.firstIndex(where: { $0.state == .connecting(server) }) else { return [] }
        groups[index].state = .connected(server)
        groups[index].failedAttempts = 0
        groups[index].publishers = []
        var actions: [FailoverAction] = []
        for name in streams.keys.sorted() where streams[name]?.knows(server) == false && mayHave(name, groupAt: index) {
            streams[name]?.pending.insert(server)
            actions.append(.play(stream: name, server: server))
        }
        return actions
    }

    private mutating func connectionLost(_ server: UpstreamServer, wasUp: Bool, reason: String?,
                                         at now: Date) -> [FailoverAction] {
        guard let index = groups.firstIndex(where: {
            $0.state == .connecting(server) || $0.state == .connected(server)
        }) else { return [] }
        if case .connected = groups[index].state {
            // The seed reconnects a lost group starting from its primary again.
            groups[index].failedAttempts = 0
        } else {
            groups[index].failedAttempts += 1
        }
        groups[index].publishers = []
        let next = groups[index].serverForAttempt(primaryAttempts: configuration.primaryAttempts)
        groups[index].state = .waitingToRetry(next: next)
        let delay = configuration.retryDelay(afterFailedAttempts: groups[index].failedAttempts)
        var actions: [FailoverAction] = [.scheduleRetry(group: groups[index].group.label, delay: delay)]
        if wasUp {
            for name in streams.keys.sorted() {
                actions += drop(server, from: name, reason: reason ?? "upstream lost", stopPlay: false, at: now)
            }
        }
        return actions
    }

    private mutating func retry(_ label: String) -> [FailoverAction] {
        guard let index = groups.firstIndex(where: { $0.group.label == label }),
              case .waitingToRetry(let next) = groups[index].state else { return [] }
        groups[index].totalRetries += 1
        groups[index].state = .connecting(next)
        return [.connect(group: label, server: next)]
    }

    /// Whether group `index` may have `stream`: it announced it, or it announced nothing at all.
    private func mayHave(_ stream: String, groupAt index: Int) -> Bool {
        groups[index].publishers.isEmpty || groups[index].publishers.contains(stream)
    }

    // MARK: Streams

    private mutating func streamAdded(_ stream: String, on server: UpstreamServer) -> [FailoverAction] {
        guard let index = groups.firstIndex(where: { $0.connectedServer == server }) else { return [] }
        insertSorted(stream, into: &groups[index].publishers)
        guard let sources = streams[stream], !sources.knows(server) else { return [] }
        streams[stream]?.pending.insert(server)
        return [.play(stream: stream, server: server)]
    }

    private mutating func streamRemoved(_ stream: String, on server: UpstreamServer, at now: Date) -> [FailoverAction] {
        guard let index = groups.firstIndex(where: { $0.connectedServer == server }) else { return [] }
        groups[index].publishers.removeAll { $0 == stream }
        return drop(server, from: stream, reason: "stream removed upstream", at: now)
    }

    private mutating func demand(_ stream: String) -> [FailoverAction] {
        if streams[stream] != nil { return [] }
        var sources = StreamSources(stream: stream)
        var actions: [FailoverAction] = []
        for index in groups.indices {
            guard let server = groups[index].connectedServer, mayHave(stream, groupAt: index) else { continue }
            sources.pending.insert(server)
            actions.append(.play(stream: stream, server: server))
        }
        streams[stream] = sources
        return actions
    }

    private mutating func playStarted(_ stream: String, on server: UpstreamServer, at now: Date) -> [FailoverAction] {
        guard var sources = streams[stream] else { return [] }
        sources.pending.remove(server)
        if !sources.available.contains(server) { sources.available.append(server) }
        var actions: [FailoverAction] = []
        if sources.active == nil {
            sources.active = server
            actions.append(.streamFrom(stream: stream, server: server))
            record(FailoverRecord(time: now, stream: stream, from: nil, to: server, reason: "first to answer"))
        }
        streams[stream] = sources
        return actions
    }

    /// Removes `server` from `stream`'s list; if it was the active one, fails over to the next.
    /// `stopPlay`: end the play there (false when its connection is gone already, or when an
    /// idle play is kept to notice the server coming back).
    /// `askAgainIfAlone`: when no other server is left or asked, play the stream on `server` again.
    private mutating func drop(_ server: UpstreamServer, from stream: String, reason: String,
                               stopPlay: Bool = true, askAgainIfAlone: Bool = false,
                               at now: Date) -> [FailoverAction] {
        guard var sources = streams[stream], sources.knows(server) else { return [] }
        sources.pending.remove(server)
        sources.available.removeAll { $0 == server }
        var actions: [FailoverAction] = stopPlay ? [.stopPlay(stream: stream, server: server)] : []
        if sources.active == server {
            sources.active = sources.available.first
            if let next = sources.active {
                actions.append(.streamFrom(stream: stream, server: next))
            } else {
                // Nobody left in the list: ask every other connected server again.
                for index in groups.indices {
                    guard let candidate = groups[index].connectedServer, candidate != server,
                          mayHave(stream, groupAt: index), !sources.pending.contains(candidate) else { continue }
                    sources.pending.insert(candidate)
                    actions.append(.play(stream: stream, server: candidate))
                }
                // An idle server may only be waiting for its own upstream to fail over (a tier
                // above): with nobody else to ask, ask it again rather than stall for good. The
                // next idle interval paces the attempts.
                if askAgainIfAlone && sources.pending.isEmpty,
                   let index = groups.firstIndex(where: { $0.connectedServer == server }), mayHave(stream, groupAt: index) {
                    sources.pending.insert(server)
                    actions.append(.play(stream: stream, server: server))
                }
            }
            record(FailoverRecord(time: now, stream: stream, from: server, to: sources.active, reason: reason))
        }
        streams[stream] = sources
        return actions
    }

    // MARK: Reload

    private mutating func reconfigure(_ newGroups: [ServerGroup], at now: Date) -> [FailoverAction] {
        var actions: [FailoverAction] = []
        var kept: [GroupConnection] = []
        let started = groups.contains { $0.state != .idle }
        for group in newGroups {
            if let existing = groups.first(where: { $0.group == group || sameMachines($0.group, group) }) {
                var connection = existing
                connection.group = group
                kept.append(connection)
            } else {
                kept.append(GroupConnection(group: group))
            }
        }
        for old in groups where !kept.contains(where: { sameMachines($0.group, old.group) }) {
            if let server = old.connectedServer {
                actions.append(.disconnect(server))
                for name in streams.keys.sorted() {
                    actions += drop(server, from: name, reason: "group \(old.group.label) removed from host.ini",
                                    stopPlay: false, at: now)
                }
            } else if case .connecting(let server) = old.state {
                actions.append(.disconnect(server))
            }
        }
        groups = kept
        if started {
            actions += groups.indices.flatMap { startConnecting(groupAt: $0) }
        }
        return actions
    }

    private func sameMachines(_ a: ServerGroup, _ b: ServerGroup) -> Bool {
        a.primaryServer == b.primaryServer && a.secondaryServer == b.secondaryServer
    }

    private mutating func record(_ entry: FailoverRecord) {
        history.append(entry)
        if history.count > configuration.historyLimit {
            history.removeFirst(history.count - configuration.historyLimit)
        }
    }

    private func insertSorted(_ name: String, into list: inout [String]) {
        guard !list.contains(name) else { return }
        list.insert(name, at: list.firstIndex { $0 > name } ?? list.endIndex)
    }
}
