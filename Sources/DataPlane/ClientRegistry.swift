import Atomics
import ControlProtocol
import Foundation
import NIOConcurrencyHelpers

/// Per-connection counters, readable from any thread for snapshots.
final class ClientStats: Sendable {
    let id: String
    let remoteAddress: String
    let connectedSince = Date()
    let bytesIn = ManagedAtomic<UInt64>(0)
    let bytesOut = ManagedAtomic<UInt64>(0)
    private let state = NIOLockedValueBox<(kind: String, stream: String?)>(("connecting", nil))

    init(id: String, remoteAddress: String) {
        self.id = id
        self.remoteAddress = remoteAddress
    }

    func set(kind: String, stream: String?) { state.withLockedValue { $0 = (kind, stream) } }

    var kind: String { state.withLockedValue { $0.kind } }

    var snapshot: ClientSnapshot {
        let (kind, stream) = state.withLockedValue { $0 }
        return ClientSnapshot(id: id, kind: kind, remoteAddress: remoteAddress, stream: stream,
                              bytesIn: bytesIn.load(ordering: .relaxed), bytesOut: bytesOut.load(ordering: .relaxed),
                              connectedSince: connectedSince)
    }
}

/// Live connections and the refused/dropped counters, for the admin API and `DELETE /clients/{id}`.
final class ClientRegistry: Sendable {
    private struct State {
        var clients: [String: (stats: ClientStats, close: @Sendable (String) -> Void)] = [:]
        var nextID: UInt64 = 0
        var refused: [String: UInt64] = [:]
        var dropped: [String: UInt64] = [:]
        var bytesIn: UInt64 = 0
        var bytesOut: UInt64 = 0
    }
    private let state = NIOLockedValueBox(State())
    let maxConnections: Int

    init(maxConnections: Int) { self.maxConnections = maxConnections }

    /// Registers a connection, or returns nil (and counts a refusal) past `maxConnections`.
    func register(remoteAddress: String, close: @escaping @Sendable (String) -> Void) -> ClientStats? {
        state.withLockedValue { state in
            guard state.clients.count < maxConnections else {
                state.refused["max-connections", default: 0] += 1
                return nil
            }
            state.nextID += 1
            let stats = ClientStats(id: "c\(state.nextID)", remoteAddress: remoteAddress)
            state.clients[stats.id] = (stats, close)
            return stats
        }
    }

    func unregister(_ stats: ClientStats) {
        state.withLockedValue { state in
            guard state.clients.removeValue(forKey: stats.id) != nil else { return }
            state.bytesIn += stats.bytesIn.load(ordering: .relaxed)
            state.bytesOut += stats.bytesOut.load(ordering: .relaxed)
        }
    }

    func countDropped(_ reason: String) { state.withLockedValue { $0.dropped[reason, default: 0] += 1 } }
    func countRefused(_ reason: String) { state.withLockedValue { $0.refused[reason, default: 0] += 1 } }

    /// Closes client `id`; false when there is no such client.
    func disconnect(id: String, reason: String) -> Bool {
        guard let close = state.withLockedValue({ $0.clients[id]?.close }) else { return false }
        close(reason)
        return true
    }

    /// Every connection, oldest first: built only when the control plane asks for the list.
    var clients: [ClientSnapshot] {
        state.withLockedValue { Array($0.clients.values.map(\.stats)) }.map(\.snapshot).sorted { $0.connectedSince < $1.connectedSince }
    }

    /// Connections by kind, for every snapshot: no list is built.
    var countsByKind: [String: Int] {
        state.withLockedValue { Array($0.clients.values.map(\.stats)) }.reduce(into: [:]) { $0[$1.kind, default: 0] += 1 }
    }

    var counters: DataPlaneCounters {
        state.withLockedValue { state in
            let live = state.clients.values.reduce((UInt64(0), UInt64(0))) {
                ($0.0 + $1.stats.bytesIn.load(ordering: .relaxed), $0.1 + $1.stats.bytesOut.load(ordering: .relaxed))
            }
            return DataPlaneCounters(bytesIn: state.bytesIn + live.0, bytesOut: state.bytesOut + live.1,
                                     connectionsRefused: state.refused, connectionsDropped: state.dropped)
        }
    }
}
