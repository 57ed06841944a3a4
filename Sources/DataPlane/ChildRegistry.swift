import ControlProtocol
import FLV
import Foundation
import NIOConcurrencyHelpers
import RTMP

/// Downstream nodes registered with `FCAddChild`, and the stream announcements they receive.
///
/// A child gets `addStream` for every stream this node has (published locally, pulled, or
/// announced by its own upstreams through `announce(_:)`) when it registers, then `addStream` /
/// `removeStream` as streams come and go, so an edge knows a stream before any player asks.
public final class ChildRegistry: StreamObserver, Sendable {
    private struct Child {
        var snapshot: ChildSnapshot
        var send: @Sendable (CommandMessage) -> Void
    }
    private struct State {
        var children: [String: Child] = [:]
        /// Streams published or pulled on this node.
        var local: Set<String> = []
        /// Streams announced to this node by its upstream servers, by server.
        var announced: [String: Set<String>] = [:]
        var available: Set<String> { announced.values.reduce(local) { $0.union($1) } }
    }
    private let state = NIOLockedValueBox(State())
    /// The shared secret a child must present, or nil when registration is open.
    let clusterSecret: String?

    init(clusterSecret: String?) { self.clusterSecret = clusterSecret }

    /// True when `presented` matches the configured secret (or none is configured); the
    /// comparison takes the same time wherever the first difference is.
    func accepts(secret presented: String?) -> Bool {
        guard let clusterSecret else { return true }
        let expected = Array(clusterSecret.utf8)
        let given = Array((presented ?? "").utf8)
        var difference = UInt8(expected.count == given.count ? 0 : 1)
        for index in 0..<expected.count { difference |= expected[index] ^ (index < given.count ? given[index] : 0) }
        return difference == 0
    }

    /// Registers a child and sends it `addStream` for every stream available now.
    func register(_ snapshot: ChildSnapshot, send: @escaping @Sendable (CommandMessage) -> Void) {
        let streams = state.withLockedValue { state in
            state.children[snapshot.clientId] = Child(snapshot: snapshot, send: send)
            return state.available.sorted()
        }
        for stream in streams { send(Self.notification("addStream", stream)) }
    }

    func unregister(clientID: String) { state.withLockedValue { _ = $0.children.removeValue(forKey: clientID) } }

    public var children: [ChildSnapshot] {
        state.withLockedValue { $0.children.values.map(\.snapshot) }.sorted { $0.registeredSince < $1.registeredSince }
    }

    /// Upstream `server` announced `stream` (intermediate/edge): forward it to this node's children.
    public func announce(_ stream: String, from server: String) { update { _ = $0.announced[server, default: []].insert(stream) } }

    /// Upstream `server` withdrew `stream`; children hear of it once no upstream has it.
    public func withdraw(_ stream: String, from server: String) { update { _ = $0.announced[server]?.remove(stream) } }

    /// The connection to upstream `server` is gone, and with it its announcements.
    public func withdrawAll(from server: String) { update { $0.announced[server] = nil } }

    public func streamStarted(_ name: String) { update { $0.local.insert(name) } }
    public func streamStopped(_ name: String) { update { $0.local.remove(name) } }
    public func frame(_ frame: FLV.MediaFrame, stream: String) {}

    /// Applies a change and notifies children of streams that appeared or disappeared.
    private func update(_ change: (inout State) -> Void) {
        let (added, removed, sends) = state.withLockedValue { state in
            let before = state.available
            change(&state)
            let after = state.available
            return (after.subtracting(before).sorted(), before.subtracting(after).sorted(), state.children.values.map(\.send))
        }
        for send in sends {
            for stream in added { send(Self.notification("addStream", stream)) }
            for stream in removed { send(Self.notification("removeStream", stream)) }
        }
    }

    static func notification(_ name: String, _ stream: String) -> CommandMessage {
        CommandMessage(name: name, transactionID: 0, commandObject: .null, arguments: [.string(stream)])
    }
}
