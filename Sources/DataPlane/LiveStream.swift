import ControlProtocol
import FLV
import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// One live stream: its source, its players, and the cache a new player starts from
/// (metadata, AVC/AAC sequence headers, and the GOP since the last keyframe).
///
/// Fan-out: each batch of frames is serialized into chunks once per encoding key (normally one)
/// and joined into one buffer per key (`OutgoingBatch`), then handed to every player's event loop
/// in one task per loop, so the same bytes go to every player with no per-player copy, in one
/// write per player. RTMP players are called as the concrete `RTMPConnection` (no existential
/// call on the per-player path); other subscribers (HTTP viewers) are kept apart.
final class LiveStream: @unchecked Sendable {
    let name: String
    private let lock = NIOLock()
    private let gopCacheLimit: Int

    // All below guarded by `lock`.
    private var sourceID: String?
    private var source: StreamSource?
    private var publishingSince: Date?
    private var groups: [ObjectIdentifier: LoopGroup] = [:]
    private var keyCounts: [EncodingKey: Int] = [:]
    private var playerCount = 0
    private var cache: GOPCache
    /// What RTMP players joining now start with, serialized: shared by every player that joins
    /// before the next frame (a crowd joining at once serializes the GOP once per frame received,
    /// not once per player). Dropped at each frame.
    private var joinMemo: (key: EncodingKey, frames: [OutgoingFrame])?
    /// Counts changes of the cache, so that a memo made outside the lock is kept only if current.
    private var cacheVersion: UInt64 = 0
    private var info = MediaInfoTracker()
    private var bytesIn: UInt64 = 0
    private var bytesOut: UInt64 = 0
    private var rateIn = RateMeter()
    private var rateOut = RateMeter()
    // Timestamps stay monotonic for attached players when a publisher restarts or a new source is
    // spliced in: the new source's clock is shifted to continue after the last frame sent.
    private var lastTimestamp: UInt32?
    private var timestampOffset: UInt32 = 0
    private var rebasePending = false
    private var recording = false
    private var recordingState: String?

    /// The players of the stream on one event loop.
    private struct LoopGroup {
        var loop: any EventLoop
        var connections: [RTMPConnection] = []
        var others: [any StreamSubscriber] = []

        var players: [any StreamSubscriber] { connections + others }
        var isEmpty: Bool { connections.isEmpty && others.isEmpty }

        /// Runs on `loop`.
        func deliver(_ batch: OutgoingBatch) {
            for connection in connections { connection.deliver(batch) }
            for other in others { other.deliver(batch) }
        }
    }

    init(name: String, gopCacheLimit: Int) {
        self.name = name
        self.gopCacheLimit = gopCacheLimit
        self.cache = GOPCache(limit: gopCacheLimit)
    }

    /// Runs `body` for each of `players` on its event loop. Callers hold no lock (neither the
    /// hub's nor the stream's): a player may leave the stream from inside `body`.
    static func notify(_ players: [any StreamSubscriber], _ body: @escaping @Sendable (any StreamSubscriber) -> Void) {
        for player in players { onPlayerLoop(player, body) }
    }

    /// Runs `body` for `player` on its event loop: at once when already there, so that a
    /// notification cannot overtake frames the same call pushes right after it (a spliced-in GOP
    /// delivered before a queued `streamDidStart` would otherwise be skipped to the next keyframe).
    private static func onPlayerLoop(_ player: any StreamSubscriber, _ body: @escaping @Sendable (any StreamSubscriber) -> Void) {
        if player.eventLoop.inEventLoop {
            body(player)
        } else {
            player.eventLoop.execute { body(player) }
        }
    }

    var isPublished: Bool { lock.withLock { sourceID != nil } }
    var hasPlayers: Bool { lock.withLock { playerCount > 0 } }
    var isEmpty: Bool { lock.withLock { sourceID == nil && playerCount == 0 } }

    func setRecording(_ on: Bool, state: String? = nil) { lock.withLock { recording = on; recordingState = on ? state : nil } }

    /// Metadata and sequence headers in force (what a recording started mid-stream needs first).
    var configurationFrames: [MediaFrame] { lock.withLock { cache.configuration } }

    /// Makes `id` the stream's source; returns the players to tell (`streamDidStart`, through
    /// `notify` once no lock is held), or nil when another source already publishes it.
    func attachSource(id: String, source: StreamSource) -> [any StreamSubscriber]? {
        lock.withLock {
            guard sourceID == nil else { return nil }
            sourceID = id
            self.source = source
            publishingSince = Date()
            rebasePending = lastTimestamp != nil
            cache = GOPCache(limit: gopCacheLimit)
            cacheVersion &+= 1
            joinMemo = nil
            info = MediaInfoTracker()
            return groups.values.flatMap(\.players)
        }
    }

    func isSource(_ id: String) -> Bool { lock.withLock { sourceID == id } }

    /// Tells the players that no source could be found for the stream (they stay attached).
    func notifyNotFound() {
        let players = lock.withLock { groups.values.flatMap(\.players) }
        for player in players { Self.onPlayerLoop(player) { $0.streamNotFound(self.name) } }
    }

    /// Makes `id` the source in place of the current one, if any (an upstream spliced in):
    /// players stay attached and the caches are kept; the new source's timestamps continue after
    /// the last frame sent. Players hear `PublishNotify` only when the stream had no source:
    /// returns whether it had none, and the players to tell (through `notify`, outside any lock).
    func spliceSource(id: String, source: StreamSource) -> (wasIdle: Bool, players: [any StreamSubscriber]) {
        lock.withLock {
            let wasIdle = sourceID == nil
            sourceID = id
            self.source = source
            if wasIdle { publishingSince = Date() }
            rebasePending = lastTimestamp != nil
            return (wasIdle, wasIdle ? groups.values.flatMap(\.players) : [])
        }
    }

    /// Ends the source `id` (no-op if it is not the current one); players stay attached.
    @discardableResult
    func detachSource(id: String) -> Bool {
        let players: [any StreamSubscriber]? = lock.withLock {
            guard sourceID == id else { return nil }
            sourceID = nil
            source = nil
            publishingSince = nil
            return groups.values.flatMap(\.players)
        }
        guard let players else { return false }
        for player in players { Self.onPlayerLoop(player) { $0.streamDidStop(self.name) } }
        return true
    }

    /// Publishes frames from source `sourceID` to every player as one batch: the stream's lock
    /// is taken once, each frame is serialized once per encoding key, each event loop with
    /// players gets one task, and each player one write and one flush for the whole batch.
    /// Returns the frames as relayed (timestamps continued) and the players they went to, or nil
    /// when `sourceID` is not the stream's source.
    func push(_ incoming: [MediaFrame], from sourceID: String) -> (frames: [MediaFrame], players: Int)? {
        let second = NIODeadline.currentSecond
        let snapshot: (frames: [MediaFrame], groups: [LoopGroup], keys: [EncodingKey], players: Int)? = lock.withLock {
            guard self.sourceID == sourceID else { return nil }
            var relayed = incoming
            for index in relayed.indices { relay(&relayed[index], atSecond: second) }
            return playerCount == 0 ? (relayed, [], [], 0) : (relayed, Array(groups.values), Array(keyCounts.keys), playerCount)
        }
        guard let snapshot else { return nil }
        if !snapshot.groups.isEmpty {
            let batch = OutgoingBatch(snapshot.frames.map { OutgoingFrame.encode($0, keys: snapshot.keys) }, keys: snapshot.keys)
            // This loop's players first, then each other loop gets a copy of its own (see
            // `copiedForAnotherLoop`), except the last, which takes the batch itself: nothing
            // here touches it any more.
            var remoteGroups = 0
            for group in snapshot.groups {
                if group.loop.inEventLoop { group.deliver(batch) } else { remoteGroups += 1 }
            }
            for group in snapshot.groups where !group.loop.inEventLoop {
                remoteGroups -= 1
                let own = remoteGroups == 0 ? batch : batch.copiedForAnotherLoop()
                group.loop.execute { group.deliver(own) }
            }
        }
        return (snapshot.frames, snapshot.players)
    }

    /// Publishes one frame (a batch of one).
    func push(_ frame: MediaFrame, from sourceID: String) -> MediaFrame? {
        push([frame], from: sourceID)?.frames.first
    }

    /// Continues the frame's timestamp on the players' clock and updates caches and counters.
    /// Called with `lock` held.
    private func relay(_ frame: inout MediaFrame, atSecond second: Int64) {
        let size = frame.payload.readableBytes
        // Media anchors the new clock; metadata travels at 0 whatever the clock says.
        if rebasePending, frame.kind != .scriptData, let last = lastTimestamp {
            timestampOffset = last &+ 1 &- frame.timestamp
            rebasePending = false
        }
        frame.timestamp &+= timestampOffset
        // The highest timestamp sent, so that neither track runs backwards after a rebase.
        if frame.kind != .scriptData { lastTimestamp = max(lastTimestamp ?? 0, frame.timestamp) }
        cache.remember(frame)
        cacheVersion &+= 1
        joinMemo = nil
        info.observe(frame)
        bytesIn += UInt64(size)
        rateIn.add(size, atSecond: second)
        let out = size * playerCount
        bytesOut += UInt64(out)
        rateOut.add(out, atSecond: second)
    }

    /// Attaches a player; returns the frames it must get first (metadata, sequence headers,
    /// GOP), in order, so its first video frame is a keyframe.
    func addPlayer(_ player: any StreamSubscriber) -> [MediaFrame] {
        lock.withLock {
            attach(player)
            return cache.joinFrames(latestTimestamp: lastTimestamp)
        }
    }

    /// Adds `player` to its loop's group. Called with `lock` held.
    private func attach(_ player: any StreamSubscriber) {
        let id = ObjectIdentifier(player.eventLoop as AnyObject)
        if let connection = player as? RTMPConnection {
            groups[id, default: LoopGroup(loop: player.eventLoop)].connections.append(connection)
        } else {
            groups[id, default: LoopGroup(loop: player.eventLoop)].others.append(player)
        }
        keyCounts[player.encodingKey, default: 0] += 1
        playerCount += 1
    }

    /// Attaches an RTMP player; returns the frames it must get first, as `addPlayer`, serialized
    /// for its encoding.
    func join(_ connection: RTMPConnection) -> [OutgoingFrame] {
        let key = connection.encodingKey
        let (memo, initial, version): ([OutgoingFrame]?, [MediaFrame], UInt64) = lock.withLock {
            attach(connection)
            if let memo = joinMemo, memo.key == key { return (memo.frames, [], cacheVersion) }
            return (nil, cache.joinFrames(latestTimestamp: lastTimestamp), cacheVersion)
        }
        if let memo { return memo }
        let encoded = initial.map { OutgoingFrame.encode($0, keys: [key]) }
        lock.withLock {
            if cacheVersion == version { joinMemo = (key, encoded) }
        }
        return encoded
    }

    func removePlayer(_ player: any StreamSubscriber) {
        lock.withLock {
            let id = ObjectIdentifier(player.eventLoop as AnyObject)
            guard var group = groups[id] else { return }
            if let index = group.connections.firstIndex(where: { $0 === player }) {
                group.connections.remove(at: index)
            } else if let index = group.others.firstIndex(where: { $0 === player }) {
                group.others.remove(at: index)
            } else {
                return
            }
            groups[id] = group.isEmpty ? nil : group
            let key = player.encodingKey
            keyCounts[key, default: 1] -= 1
            if keyCounts[key] == 0 { keyCounts[key] = nil }
            playerCount -= 1
        }
    }

    func snapshot() -> StreamSnapshot {
        let second = NIODeadline.currentSecond
        return lock.withLock {
            StreamSnapshot(name: name, state: sourceID == nil ? "idle" : "live", source: source,
                           video: info.video, audio: info.audio,
                           bitrateIn: rateIn.bitsPerSecond(atSecond: second), bitrateOut: rateOut.bitsPerSecond(atSecond: second),
                           players: playerCount, bytesIn: bytesIn, bytesOut: bytesOut,
                           publishingSince: publishingSince, recording: recording, recordingState: recordingState)
        }
    }
}
