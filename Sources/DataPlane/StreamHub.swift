import ControlProtocol
import FLV
import NIOConcurrencyHelpers
import NIOCore

/// All live streams of the node, by normalized name. Sources (local publishers, upstream pulls)
/// push frames in; players attach; observers (the DVR) see every frame.
public final class StreamHub: @unchecked Sendable {
    private let lock = NIOLock()
    private var streams: [String: LiveStream] = [:]
    private var observers: [any StreamObserver] = []
    private let events: any DataPlaneEventSink
    let gopCacheLimit: Int

    init(events: any DataPlaneEventSink, gopCacheLimit: Int) {
        self.events = events
        self.gopCacheLimit = gopCacheLimit
    }

    /// Adds an observer that sees every frame of every stream (it must never block).
    public func addObserver(_ observer: any StreamObserver) {
        lock.withLock { observers.append(observer) }
    }

    func stream(named name: String) -> LiveStream? { lock.withLock { streams[name] } }

    /// Runs `body` on the stream `name`, created if needed, while holding the hub lock, so that a
    /// stream cannot be dropped as unused between being looked up and being given its source or
    /// player (a player leaving just as a publisher arrives would otherwise orphan the publisher).
    private func withStreamCreatingIfNeeded<Result>(_ name: String, _ body: (LiveStream) -> Result) -> Result {
        lock.withLock {
            let stream: LiveStream
            if let existing = streams[name] {
                stream = existing
            } else {
                stream = LiveStream(name: name, gopCacheLimit: gopCacheLimit)
                streams[name] = stream
            }
            return body(stream)
        }
    }

    /// True when `name` has a source right now.
    public func isPublished(_ name: String) -> Bool { stream(named: name)?.isPublished ?? false }

    /// Names of all streams that have a source.
    public var publishedNames: [String] { lock.withLock { streams.values.filter(\.isPublished).map(\.name) }.sorted() }

    /// Starts publishing `name` from source `id`; false if someone else publishes it already.
    public func startPublishing(_ name: String, sourceID: String, source: StreamSource) -> Bool {
        guard let players = withStreamCreatingIfNeeded(name, { $0.attachSource(id: sourceID, source: source) }) else { return false }
        // Told after the hub lock is released: a player on this thread whose socket fails in
        // that write leaves the stream (`removePlayer` takes the hub lock) before this returns.
        LiveStream.notify(players) { $0.streamDidStart(name) }
        events.emit(.streamPublished(name: name))
        for observer in lock.withLock({ observers }) { observer.streamStarted(name) }
        return true
    }

    /// Makes `sourceID` the source of `name` in place of the current one (an upstream spliced in
    /// at a keyframe): players stay attached, timestamps continue.
    public func spliceSource(_ name: String, sourceID: String, source: StreamSource) {
        let (wasIdle, players) = withStreamCreatingIfNeeded(name) { $0.spliceSource(id: sourceID, source: source) }
        LiveStream.notify(players) { $0.streamDidStart(name) }
        guard wasIdle else { return }
        events.emit(.streamPublished(name: name))
        for observer in lock.withLock({ observers }) { observer.streamStarted(name) }
    }

    /// Metadata and sequence headers the players of `name` have now.
    func configurationFrames(of name: String) -> [MediaFrame] { stream(named: name)?.configurationFrames ?? [] }

    /// Tells the players of `name` that no upstream delivered it.
    func reportNotFound(_ name: String) { stream(named: name)?.notifyNotFound() }

    /// True when `name` has at least one player.
    func hasPlayers(_ name: String) -> Bool { stream(named: name)?.hasPlayers ?? false }

    /// Stops publishing `name` if `sourceID` is its source.
    public func stopPublishing(_ name: String, sourceID: String) {
        guard let stream = stream(named: name), stream.detachSource(id: sourceID) else { return }
        events.emit(.streamUnpublished(name: name))
        for observer in lock.withLock({ observers }) { observer.streamStopped(name) }
        removeIfUnused(stream)
    }

    /// Pushes a frame from `sourceID` into stream `name`.
    public func push(_ frame: MediaFrame, stream name: String, sourceID: String) {
        push([frame], stream: name, sourceID: sourceID)
    }

    /// Pushes frames from `sourceID` into stream `name` as one batch (one write and one flush
    /// per player); returns how many players the stream has (0 when `sourceID` is not its source).
    @discardableResult
    public func push(_ frames: [MediaFrame], stream name: String, sourceID: String) -> Int {
        let (stream, observers) = lock.withLock { (streams[name], self.observers) }
        guard let stream, let relayed = stream.push(frames, from: sourceID) else { return 0 }
        for frame in relayed.frames {
            for observer in observers { observer.frame(frame, stream: name) }
        }
        return relayed.players
    }

    func addPlayer(_ player: any StreamSubscriber, to name: String) -> (stream: LiveStream, initial: [MediaFrame]) {
        withStreamCreatingIfNeeded(name) { stream in (stream, stream.addPlayer(player)) }
    }

    /// Attaches an RTMP player to `name`; returns the frames it starts with, serialized for it.
    func join(_ connection: RTMPConnection, to name: String) -> (stream: LiveStream, initial: [OutgoingFrame]) {
        withStreamCreatingIfNeeded(name) { stream in (stream, stream.join(connection)) }
    }

    func removePlayer(_ player: any StreamSubscriber, from stream: LiveStream) {
        stream.removePlayer(player)
        removeIfUnused(stream)
    }

    private func removeIfUnused(_ stream: LiveStream) {
        lock.withLock {
            if stream.isEmpty, streams[stream.name] === stream { streams[stream.name] = nil }
        }
    }

    func snapshots() -> [StreamSnapshot] {
        lock.withLock { Array(streams.values) }.map { $0.snapshot() }.sorted { $0.name < $1.name }
    }
}
