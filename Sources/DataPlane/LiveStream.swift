import ControlProtocol
import FLV
import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// One live stream: its source, its players, and the cache a new player starts from
/// (metadata, AVC/AAC sequence headers, and the GOP since the last keyframe).
///
/// Fan-out: each frame is serialized into chunks once per encoding key (normally one), then
/// handed to every player's event loop in one task per loop, so the same bytes go to every
/// player with no per-player copy.
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
    private var metadata: MediaFrame?
    private var videoHeader: MediaFrame?
    private var audioHeader: MediaFrame?
    /// Sequence headers of E-RTMP tracks other than the primary one (track id ≠ 0), one per kind and track.
    private var trackHeaders: [MediaFrame] = []
    private var gop: [MediaFrame] = []
    private var gopBytes = 0
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

    private struct LoopGroup {
        var loop: any EventLoop
        var players: [any StreamSubscriber]
    }

    init(name: String, gopCacheLimit: Int) {
        self.name = name
        self.gopCacheLimit = gopCacheLimit
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
    var configurationFrames: [MediaFrame] { lock.withLock { [metadata, videoHeader, audioHeader].compactMap { $0 } + trackHeaders } }

    /// Makes `id` the stream's source; false when another source already publishes it.
    func attachSource(id: String, source: StreamSource) -> Bool {
        let players: [any StreamSubscriber] = lock.withLock {
            guard sourceID == nil else { return [] }
            sourceID = id
            self.source = source
            publishingSince = Date()
            rebasePending = lastTimestamp != nil
            metadata = nil
            videoHeader = nil
            audioHeader = nil
            trackHeaders = []
            gop = []
            gopBytes = 0
            info = MediaInfoTracker()
            return groups.values.flatMap(\.players)
        }
        guard isSource(id) else { return false }
        for player in players { Self.onPlayerLoop(player) { $0.streamDidStart(self.name) } }
        return true
    }

    func isSource(_ id: String) -> Bool { lock.withLock { sourceID == id } }

    /// Tells the players that no source could be found for the stream (they stay attached).
    func notifyNotFound() {
        let players = lock.withLock { groups.values.flatMap(\.players) }
        for player in players { Self.onPlayerLoop(player) { $0.streamNotFound(self.name) } }
    }

    /// Makes `id` the source in place of the current one, if any (an upstream spliced in):
    /// players stay attached and the caches are kept; the new source's timestamps continue after
    /// the last frame sent. Players hear `PublishNotify` only when the stream had no source.
    /// Returns true when the stream had no source before.
    func spliceSource(id: String, source: StreamSource) -> Bool {
        let (wasIdle, players): (Bool, [any StreamSubscriber]) = lock.withLock {
            let wasIdle = sourceID == nil
            sourceID = id
            self.source = source
            if wasIdle { publishingSince = Date() }
            rebasePending = lastTimestamp != nil
            return (wasIdle, wasIdle ? groups.values.flatMap(\.players) : [])
        }
        for player in players { Self.onPlayerLoop(player) { $0.streamDidStart(self.name) } }
        return wasIdle
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

    /// Publishes one frame from source `sourceID` to every player; returns the frame as relayed
    /// (with its timestamp continued), or nil when `sourceID` is not the stream's source.
    func push(_ incoming: MediaFrame, from sourceID: String) -> MediaFrame? {
        var frame = incoming
        let size = frame.payload.readableBytes
        let second = NIODeadline.currentSecond
        let snapshot: (groups: [LoopGroup], keys: [EncodingKey])? = lock.withLock {
            guard self.sourceID == sourceID else { return nil }
            // Media anchors the new clock; metadata travels at 0 whatever the clock says.
            if rebasePending, frame.kind != .scriptData, let last = lastTimestamp {
                timestampOffset = last &+ 1 &- frame.timestamp
                rebasePending = false
            }
            frame.timestamp &+= timestampOffset
            // The highest timestamp sent, so that neither track runs backwards after a rebase.
            if frame.kind != .scriptData { lastTimestamp = max(lastTimestamp ?? 0, frame.timestamp) }
            cache(frame)
            info.observe(frame)
            bytesIn += UInt64(size)
            rateIn.add(size, atSecond: second)
            let out = size * playerCount
            bytesOut += UInt64(out)
            rateOut.add(out, atSecond: second)
            return playerCount == 0 ? ([], []) : (Array(groups.values), Array(keyCounts.keys))
        }
        guard let snapshot else { return nil }
        if !snapshot.groups.isEmpty {
            let outgoing = OutgoingFrame.encode(frame, keys: snapshot.keys)
            for group in snapshot.groups {
                let players = group.players
                if group.loop.inEventLoop {
                    for player in players { player.deliver(outgoing) }
                } else {
                    group.loop.execute { for player in players { player.deliver(outgoing) } }
                }
            }
        }
        return frame
    }

    private func cache(_ frame: MediaFrame) {
        switch frame.kind {
        case .scriptData:
            metadata = frame
        case .video where frame.isSequenceHeader && frame.trackID != 0, .audio where frame.isSequenceHeader && frame.trackID != 0:
            let track = frame.trackID
            trackHeaders.removeAll { $0.kind == frame.kind && $0.trackID == track }
            if trackHeaders.count < 16 { trackHeaders.append(frame) }
        case .video where frame.isSequenceHeader:
            videoHeader = frame
        case .audio where frame.isSequenceHeader:
            audioHeader = frame
        case .video where frame.isVideoKeyframe && frame.trackID == 0:
            // Only the primary track's keyframes start a GOP: another track's would cut it short.
            gop = [frame]
            gopBytes = frame.payload.readableBytes
        default:
            // Frames before the first keyframe are useless to a new player; past the limit,
            // the cache waits for the next keyframe.
            guard !gop.isEmpty, gopBytes + frame.payload.readableBytes <= gopCacheLimit else {
                if !gop.isEmpty { gop = []; gopBytes = 0 }
                return
            }
            gop.append(frame)
            gopBytes += frame.payload.readableBytes
        }
    }

    /// Attaches a player; returns the frames it must get first (metadata, sequence headers,
    /// GOP), in order, so its first video frame is a keyframe.
    func addPlayer(_ player: any StreamSubscriber) -> [MediaFrame] {
        lock.withLock {
            let id = ObjectIdentifier(player.eventLoop as AnyObject)
            groups[id, default: LoopGroup(loop: player.eventLoop, players: [])].players.append(player)
            keyCounts[player.encodingKey, default: 0] += 1
            playerCount += 1
            return [metadata, videoHeader, audioHeader].compactMap { $0 } + trackHeaders + gop
        }
    }

    func removePlayer(_ player: any StreamSubscriber) {
        lock.withLock {
            let id = ObjectIdentifier(player.eventLoop as AnyObject)
            guard var group = groups[id], let index = group.players.firstIndex(where: { $0 === player }) else { return }
            group.players.remove(at: index)
            groups[id] = group.players.isEmpty ? nil : group
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
