import FLV
import HTTPMedia
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// The HTTP outputs of one live stream, built once and shared by every viewer: the fMP4 muxer
/// feeding the LL-HLS playlist (parts, segments and init segments held for a bounded window),
/// the progressive fMP4 viewers (fed the same parts) and the HTTP-FLV viewers (fed the same tag
/// bytes). Frames arrive from the hub's observer path on the source's event loop; channel writes
/// are issued under the lock so that every viewer sees its bytes in order.
final class HTTPLiveStream: Sendable {
    /// What a request waits for.
    enum Condition: Sendable {
        case playlist(msn: Int, part: Int?)
        case part(Int)
        /// A complete segment (what a plain HLS client needs before it can start).
        case firstSegment
    }

    enum ViewerKind: Sendable { case flv, mp4 }

    private struct Viewer: Sendable {
        var channel: any Channel
        var kind: ViewerKind
        var subscriber: HTTPViewerSubscriber
        var joined: Bool
        var pending: [MediaFrame] = []
        var skipping = false
        var behindSince: NIODeadline?
        var generation: Int?
        /// Closed for lagging; forgotten (and detached from the hub) when its channel goes inactive.
        var dropped = false
    }

    private struct Waiter: Sendable {
        var condition: Condition
        var promise: EventLoopPromise<Void>
    }

    private struct State: Sendable {
        var muxer: FMP4Muxer
        var playlist: LLHLSPlaylist
        var seeded = false
        var pending: [MediaFrame] = []
        var initializations: [Int: ByteBuffer] = [:]
        var parts: [Int: ByteBuffer] = [:]
        var segments: [Int: ByteBuffer] = [:]
        /// Parts of the segment being built (what a joining fMP4 viewer starts from).
        var openSegment: [ByteBuffer] = []
        var viewers: [Int: Viewer] = [:]
        var nextViewerID = 0
        var waiters: [Waiter] = []
        var lastRequest: NIODeadline
        /// HLS client connections by their last playlist or part request.
        var hlsClients: [ObjectIdentifier: NIODeadline] = [:]
    }

    let name: String
    let anchor: HTTPViewerSubscriber
    private let state: NIOLockedValueBox<State>
    private let maxLag: TimeAmount
    private let logger = Logger(label: "relay.http")

    init(name: String, configuration: HTTPDeliveryConfiguration, anchor: HTTPViewerSubscriber, maxLag: TimeAmount) {
        self.name = name
        self.anchor = anchor
        self.maxLag = maxLag
        state = NIOLockedValueBox(State(muxer: FMP4Muxer(configuration: configuration.muxer),
                                        playlist: LLHLSPlaylist(partTarget: configuration.muxer.partTarget,
                                                                segmentTarget: configuration.muxer.segmentTarget,
                                                                windowSegments: configuration.windowSegments),
                                        lastRequest: .now()))
    }

    /// The frames a stream's cache gave on attaching (configuration, GOP): fed first, then the
    /// frames that arrived meanwhile, minus those the cache already held.
    func seed(with initial: [MediaFrame]) {
        let done = state.withLockedValue { state -> [EventLoopPromise<Void>] in
            let pending = Self.withoutDuplicates(state.pending, of: initial)
            state.pending = []
            state.seeded = true
            return (initial + pending).flatMap { mux($0, &state) }
        }
        for promise in done { promise.succeed() }
    }

    static func key(_ frame: MediaFrame) -> [UInt32] { [UInt32(frame.kind.rawValue), frame.timestamp, UInt32(frame.payload.readableBytes)] }

    private static func withoutDuplicates(_ frames: [MediaFrame], of initial: [MediaFrame]) -> [MediaFrame] {
        let seen = Set(initial.map(key))
        return frames.filter { !seen.contains(key($0)) }
    }

    /// One live frame (already relayed: continued timestamps).
    func consume(_ frame: MediaFrame) {
        let done = state.withLockedValue { state -> [EventLoopPromise<Void>] in
            guard state.seeded else { state.pending.append(frame); return [] }
            var flvTag: ByteBuffer?
            for (id, viewer) in state.viewers where viewer.kind == .flv {
                guard viewer.joined else { state.viewers[id]?.pending.append(frame); continue }
                guard admit(id, &state, startPoint: frame.isVideoKeyframe || frame.kind == .scriptData || frame.isSequenceHeader) else { continue }
                if flvTag == nil {
                    var tag = ByteBuffer()
                    FLVStreamMuxer.writeTag(frame, into: &tag)
                    flvTag = tag
                }
                write(flvTag!, to: viewer.channel)
            }
            return mux(frame, &state)
        }
        for promise in done { promise.succeed() }
    }

    /// The source stopped: what the muxer held goes out as the end of a segment.
    func sourceStopped() {
        let done = state.withLockedValue { state -> [EventLoopPromise<Void>] in
            state.muxer.flush().flatMap { handle($0, &state) }
        }
        for promise in done { promise.succeed() }
    }

    private func mux(_ frame: MediaFrame, _ state: inout State) -> [EventLoopPromise<Void>] {
        state.muxer.append(frame).flatMap { handle($0, &state) }
    }

    private func handle(_ output: FMP4Muxer.Output, _ state: inout State) -> [EventLoopPromise<Void>] {
        switch output {
        case .initialization(let bytes, let generation):
            state.initializations[generation] = bytes
            state.initializations = state.initializations.filter { $0.key >= generation - 2 }
            for (id, viewer) in state.viewers where viewer.kind == .mp4 && viewer.joined {
                if viewer.generation == nil {
                    state.viewers[id]?.generation = generation
                    write(bytes, to: viewer.channel)
                } else {
                    // A progressive file cannot change codec parameters: the viewer reconnects.
                    close(viewer.channel)
                }
            }
            return []
        case .part(let part):
            let (number, evicted) = state.playlist.append(duration: part.duration, isIndependent: part.isIndependent,
                                                          endsSegment: part.endsSegment, generation: part.generation)
            state.parts[number] = part.bytes
            state.openSegment.append(part.bytes)
            if part.endsSegment, let msn = state.playlist.lastSequenceNumber {
                var segment = ByteBuffer()
                for var piece in state.openSegment { segment.writeBuffer(&piece) }
                state.segments[msn] = segment
                state.openSegment = []
            }
            for msn in evicted.segments { state.segments[msn] = nil }
            for number in evicted.parts { state.parts[number] = nil }
            for (id, viewer) in state.viewers where viewer.kind == .mp4 && viewer.joined && viewer.generation == part.generation {
                guard admit(id, &state, startPoint: part.isIndependent) else { continue }
                write(part.bytes, to: viewer.channel)
            }
            let playlist = state.playlist
            var done: [EventLoopPromise<Void>] = []
            state.waiters.removeAll { waiter in
                let met: Bool
                switch waiter.condition {
                case .playlist(let msn, let part): met = playlist.satisfies(msn: msn, part: part)
                case .part(let wanted): met = wanted < playlist.nextPartNumber
                case .firstSegment: met = playlist.segments.contains(where: \.isComplete)
                }
                if met { done.append(waiter.promise) }
                return met
            }
            return done
        }
    }

    /// Slow-viewer policy, as for RTMP players: a viewer whose socket is not writable skips
    /// media until the next start point (keyframe, independent part), and is dropped when it
    /// stays behind longer than the relay's player lag limit.
    private func admit(_ id: Int, _ state: inout State, startPoint: Bool) -> Bool {
        guard let viewer = state.viewers[id], !viewer.dropped else { return false }
        if viewer.channel.isWritable {
            if viewer.skipping {
                guard startPoint else { return false }
                state.viewers[id]?.skipping = false
                state.viewers[id]?.behindSince = nil
            }
            return true
        }
        let since = viewer.behindSince ?? .now()
        state.viewers[id]?.skipping = true
        state.viewers[id]?.behindSince = since
        if NIODeadline.now() - since > maxLag {
            logger.info("slow HTTP viewer dropped", metadata: ["stream": "\(name)", "behind": "\(NIODeadline.now() - since)"])
            close(viewer.channel)
            state.viewers[id]?.dropped = true
        }
        return false
    }

    // Channel operations are called under the lock, so they always go through the channel's
    // task queue (in order), never inline: a write error or a close would otherwise run the
    // handler's channelInactive, which takes the lock again.
    private func write(_ bytes: ByteBuffer, to channel: any Channel) {
        channel.eventLoop.execute { channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(bytes)), promise: nil) }
    }

    private func close(_ channel: any Channel) {
        channel.eventLoop.execute { channel.close(promise: nil) }
    }

    // MARK: Viewers

    /// Registers a streaming viewer (its response head is sent); returns its id.
    func addViewer(_ channel: any Channel, kind: ViewerKind, subscriber: HTTPViewerSubscriber) -> Int {
        state.withLockedValue { state in
            let id = state.nextViewerID
            state.nextViewerID += 1
            state.viewers[id] = Viewer(channel: channel, kind: kind, subscriber: subscriber, joined: false)
            return id
        }
    }

    /// Starts an HTTP-FLV viewer with its cache frames (header, metadata, sequence headers, GOP).
    func startFLVViewer(_ id: Int, initial: [MediaFrame]) {
        state.withLockedValue { state in
            guard let viewer = state.viewers[id] else { return }
            var muxer = FLVStreamMuxer()
            var out = ByteBuffer()
            for frame in initial + Self.withoutDuplicates(viewer.pending, of: initial) {
                for var bytes in muxer.append(frame) { out.writeBuffer(&bytes) }
            }
            if out.readableBytes == 0 { out = FLVFileWriter.header(hasAudio: true, hasVideo: true) }
            state.viewers[id]?.pending = []
            state.viewers[id]?.joined = true
            write(out, to: viewer.channel)
        }
    }

    /// Starts a progressive fMP4 viewer: the init segment and the parts of the segment being
    /// built (it starts on a keyframe), then every part as it is cut.
    func startMP4Viewer(_ id: Int) {
        state.withLockedValue { state in
            guard let viewer = state.viewers[id] else { return }
            state.viewers[id]?.joined = true
            guard let generation = state.initializations.keys.max(), let initialization = state.initializations[generation] else { return }
            state.viewers[id]?.generation = generation
            var out = initialization
            for var part in state.openSegment { out.writeBuffer(&part) }
            write(out, to: viewer.channel)
        }
    }

    /// Forgets a viewer; returns its subscriber so that the caller detaches it from the hub.
    func removeViewer(_ id: Int) -> HTTPViewerSubscriber? {
        state.withLockedValue { $0.viewers.removeValue(forKey: id)?.subscriber }
    }

    /// How long an HLS client connection counts as a viewer after its last request.
    static let hlsClientWindow = TimeAmount.seconds(10)

    /// HTTP viewers: streaming connections, and HLS client connections that asked for a playlist
    /// or part in the last 10 s (through an HTTP cache, the cache's connections).
    var viewerCount: Int {
        state.withLockedValue { state in
            let now = NIODeadline.now()
            state.hlsClients = state.hlsClients.filter { now - $0.value < Self.hlsClientWindow }
            return state.viewers.count + state.hlsClients.count
        }
    }

    // MARK: HLS

    func touch(client: ObjectIdentifier? = nil) {
        state.withLockedValue { state in
            let now = NIODeadline.now()
            state.lastRequest = now
            if let client { state.hlsClients[client] = now }
        }
    }

    /// True when the session has no streaming viewer and no request came for `timeout`.
    func isIdle(timeout: TimeAmount) -> Bool {
        state.withLockedValue { $0.viewers.isEmpty && $0.waiters.isEmpty && NIODeadline.now() - $0.lastRequest > timeout }
    }

    /// Succeeds `promise` once `condition` holds (at once when it does); fails it after `timeout`.
    func wait(for condition: Condition, promise: EventLoopPromise<Void>, timeout: TimeAmount) {
        let met = state.withLockedValue { state -> Bool in
            state.lastRequest = .now()
            let playlist = state.playlist
            let met: Bool
            switch condition {
            case .playlist(let msn, let part): met = playlist.satisfies(msn: msn, part: part)
            case .part(let wanted): met = wanted < playlist.nextPartNumber
            case .firstSegment: met = playlist.segments.contains(where: \.isComplete)
            }
            if !met { state.waiters.append(Waiter(condition: condition, promise: promise)) }
            return met
        }
        if met { promise.succeed(); return }
        let task = promise.futureResult.eventLoop.scheduleTask(in: timeout) { [weak self] in
            let expired = self?.state.withLockedValue { state -> Bool in
                let before = state.waiters.count
                state.waiters.removeAll { $0.promise.futureResult === promise.futureResult }
                return state.waiters.count != before
            } ?? true
            if expired { promise.fail(HTTPWaitTimeout()) }
        }
        promise.futureResult.whenComplete { _ in task.cancel() }
    }

    func playlistText() -> String? { state.withLockedValue { $0.playlist.lastSequenceNumber == nil ? nil : $0.playlist.render() } }
    func isTooFarAhead(msn: Int) -> Bool { state.withLockedValue { $0.playlist.isTooFarAhead(msn: msn) } }
    func nextPartNumber() -> Int { state.withLockedValue { $0.playlist.nextPartNumber } }
    func initialization(_ generation: Int) -> ByteBuffer? { state.withLockedValue { $0.initializations[generation] } }
    func part(_ number: Int) -> ByteBuffer? { state.withLockedValue { $0.parts[number] } }
    func segment(_ msn: Int) -> ByteBuffer? { state.withLockedValue { $0.segments[msn] } }
}

/// A blocking request waited longer than its bound.
struct HTTPWaitTimeout: Error {}
