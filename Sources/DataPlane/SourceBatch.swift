import FLV
import NIOCore

/// When a source's frames reach the players: `--merge-write` and `--merge-write-min-players`.
///
/// A write to a player's socket costs the same system call and TCP segment for one frame as for
/// a dozen, and on a stream with many players those calls are most of the relay's CPU. Holding
/// frames for a short window lets each player get everything that arrived in it in one write
/// (SRS's `mw_latency`), at the price of up to the window in latency. Streams with few players
/// gain nothing worth that price, so the window applies only from `minimumPlayers` up.
struct MergePolicy: Sendable, Equatable {
    /// How long frames may wait; zero: never.
    var window: TimeAmount
    /// Streams with fewer players relay at the end of every read.
    var minimumPlayers: Int
    /// A batch never holds more than this, whatever the window.
    var maximumBytes = 1 << 20

    /// One batch per read from the source, whatever the stream's audience.
    static let perRead = MergePolicy(window: .zero, minimumPlayers: 0)
}

/// The frames a source (a local publisher, or a play from an upstream) has received and not yet
/// relayed, as a value that says when they go (`MergePolicy`); its owner relays them and keeps
/// the timer. Used on the source's event loop only.
struct SourceBatch {
    /// What the owner does at the end of a read.
    enum ReadEnd: Equatable {
        /// Relay these frames now, as one batch.
        case relay([MediaFrame])
        /// Start a timer for the merge window; when it fires, `take()` gives the frames to relay.
        case startWindow(TimeAmount)
        /// Nothing to do (no frames, or a window is already running).
        case wait
    }

    let policy: MergePolicy
    private(set) var frames: [MediaFrame] = []
    private var bytes = 0
    private var windowRunning = false
    /// Players of the stream at the last relay: decides whether the next batch waits.
    private var players = 0

    init(policy: MergePolicy) {
        self.policy = policy
    }

    mutating func append(_ frame: MediaFrame) {
        frames.append(frame)
        bytes += frame.payload.readableBytes
    }

    mutating func append(contentsOf frames: [MediaFrame]) {
        for frame in frames { append(frame) }
    }

    /// The end of one read from the source.
    mutating func readEnded() -> ReadEnd {
        guard !frames.isEmpty else { return .wait }
        let merging = policy.window > .zero && players >= policy.minimumPlayers && bytes < policy.maximumBytes
        guard merging else { return .relay(take()) }
        guard !windowRunning else { return .wait }
        windowRunning = true
        return .startWindow(policy.window)
    }

    /// Everything pending, to relay now: when the window closes, or before anything that must
    /// not overtake these frames (a command, the end of the source). The owner cancels its timer.
    mutating func take() -> [MediaFrame] {
        windowRunning = false
        bytes = 0
        defer { frames.removeAll(keepingCapacity: true) }
        return frames
    }

    /// The hub relayed a batch to `players` players.
    mutating func relayed(toPlayers players: Int) {
        self.players = players
    }
}

/// A `SourceBatch` and its merge-window timer: what a source's owner (a publisher's connection,
/// a play from an upstream) keeps on its event loop.
struct PendingFrames {
    private var batch: SourceBatch
    private var timer: Scheduled<Void>?

    init(policy: MergePolicy) {
        batch = SourceBatch(policy: policy)
    }

    mutating func append(_ frame: MediaFrame) { batch.append(frame) }
    mutating func append(contentsOf frames: [MediaFrame]) { batch.append(contentsOf: frames) }

    /// The end of one read: the frames to relay now, or none. When a merge window starts,
    /// `windowClosed` runs on `loop` as it ends, and should relay `take()`.
    mutating func readEnded(on loop: any EventLoop, windowClosed: @escaping @Sendable () -> Void) -> [MediaFrame] {
        switch batch.readEnded() {
        case .relay(let frames):
            return frames
        case .startWindow(let window):
            timer = loop.scheduleTask(in: window, windowClosed)
            return []
        case .wait:
            return []
        }
    }

    /// Everything pending, the window (if any) cancelled.
    mutating func take() -> [MediaFrame] {
        timer?.cancel()
        timer = nil
        return batch.take()
    }

    /// The hub relayed a batch to `players` players.
    mutating func relayed(toPlayers players: Int) { batch.relayed(toPlayers: players) }

    /// The source stopped: no window fires any more.
    mutating func cancelWindow() {
        timer?.cancel()
        timer = nil
    }
}
