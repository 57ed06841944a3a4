import ControlProtocol
import DequeModule
import FLV
import Foundation
import Logging
import Recording

/// Records published streams into the DVR store (`<media>/dvr/`), off the event loops.
///
/// The hub calls the `StreamObserver` methods on event loops; they only append to a bounded
/// queue (bytes) and return. One writer thread drains it into `DVRWriter`s, commits about once a
/// second and applies retention. When the queue is full (the disk cannot keep up) the stream's
/// frames are dropped until the next keyframe with room; on a write error (disk full) the stream's
/// writer is closed and reopened at a keyframe 5 s later. Both are "degraded" states, logged, sent
/// as `recordingChanged` events and shown in the stream snapshot; relaying never waits.
public final class DVRRecorder: StreamObserver, @unchecked Sendable {
    /// What to record and how.
    public struct Configuration: Sendable {
        public var mediaRoot: String
        /// Record every published stream unless told otherwise per stream.
        public var recordAll: Bool
        public var retention: DVRRetention
        /// Bytes of frames queued for the writer thread before frames are dropped.
        public var queueLimit: Int
        public var writerOptions: DVRWriter.Options
        /// Seconds between retention passes.
        public var retentionInterval: TimeInterval

        /// `maxAge` (seconds) and `maxBytes` (all recordings together): retention, nil for none.
        public init(mediaRoot: String = "./media", recordAll: Bool = true, maxAge: TimeInterval? = nil, maxBytes: UInt64? = nil,
                    segmentBytes: UInt64 = 256 << 20, queueLimit: Int = 64 << 20, retentionInterval: TimeInterval = 60) {
            self.mediaRoot = mediaRoot
            self.recordAll = recordAll
            retention = DVRRetention(maxAge: maxAge, maxBytes: maxBytes)
            self.queueLimit = queueLimit
            writerOptions = DVRWriter.Options(segmentBytes: segmentBytes)
            self.retentionInterval = retentionInterval
        }
    }

    private enum Operation {
        case start(String, configurations: [MediaFrame])
        case frame(String, MediaFrame)
        case stop(String)
    }

    /// Observer-side state of a stream being recorded.
    private struct Tap {
        var waitingForKeyframe = true
        var dropping = false
    }

    public let configuration: Configuration
    private let files: any DVRFileSystem
    private let events: any DataPlaneEventSink
    private weak var hub: StreamHub?
    private let logger: Logger
    private let clock: @Sendable () -> Date

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var queue = Deque<Operation>()
    private var queuedBytes = 0
    private var overrides: [String: Bool] = [:]
    private var taps: [String: Tap] = [:]
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)

    // Writer thread only.
    private var writers: [String: DVRWriter] = [:]
    private var configurationsByStream: [String: [MediaFrame]] = [:]
    private var retryAt: [String: Date] = [:]
    /// Streams whose recording failed (disk full): "degraded" until a frame is written again.
    private var degraded: Set<String> = []
    private var lastRetention = Date.distantPast

    public init(configuration: Configuration, hub: StreamHub, events: any DataPlaneEventSink,
                files: any DVRFileSystem = LocalDVRFileSystem(), logger: Logger = Logger(label: "dvr"),
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.files = files
        self.events = events
        self.hub = hub
        self.logger = logger
        self.clock = clock
        hub.addObserver(self)
        let thread = Thread { [self] in self.run() }
        thread.name = "dvr-writer"
        thread.start()
    }

    private func isEnabled(_ stream: String) -> Bool { overrides[stream] ?? configuration.recordAll }

    // MARK: StreamObserver (event loops: never block)

    public func streamStarted(_ name: String) {
        condition.withLock {
            guard isEnabled(name), !stopping else { return }
            taps[name] = Tap()
            enqueue(.start(name, configurations: []))
        }
    }

    public func frame(_ frame: MediaFrame, stream: String) {
        let size = frame.payload.readableBytes
        let degraded: Bool = condition.withLock {
            guard var tap = taps[stream] else { return false }
            defer { taps[stream] = tap }
            let isConfiguration = frame.kind == .scriptData || frame.isSequenceHeader
            let isKeyframe = frame.isVideoKeyframe
            if tap.dropping {
                guard isKeyframe, queuedBytes + size <= configuration.queueLimit / 2 else { return false }
                tap.dropping = false
                tap.waitingForKeyframe = false
            } else if tap.waitingForKeyframe, frame.kind == .video, !isConfiguration {
                guard isKeyframe else { return false }
                tap.waitingForKeyframe = false
            }
            guard queuedBytes + size <= configuration.queueLimit else {
                tap.dropping = true
                return true
            }
            queuedBytes += size
            enqueue(.frame(stream, frame))
            return false
        }
        if degraded {
            let state = "degraded: the disk cannot keep up; dropping frames until the next keyframe"
            hub?.stream(named: stream)?.setRecording(true, state: state)
            report(stream, state, warning: true)
        }
    }

    public func streamStopped(_ name: String) {
        condition.withLock {
            guard taps.removeValue(forKey: name) != nil else { return }
            enqueue(.stop(name))
        }
    }

    private func enqueue(_ operation: Operation) {
        queue.append(operation)
        condition.signal()
    }

    // MARK: Commands

    /// `startRecording`: records `stream` from now on (at once if it is published).
    public func startRecording(_ stream: String) -> CommandOutcome {
        guard DVRName.directoryName(forStream: stream) != nil else { return .failed(code: "bad-request", message: "bad stream name") }
        let live = hub?.stream(named: stream)
        condition.withLock {
            overrides[stream] = true
            guard taps[stream] == nil, let live, live.isPublished else { return }
            taps[stream] = Tap()
            enqueue(.start(stream, configurations: live.configurationFrames))
        }
        return .ok(message: live?.isPublished == true ? "recording" : "will record when published")
    }

    /// `stopRecording`: stops recording `stream` until started again.
    public func stopRecording(_ stream: String) -> CommandOutcome {
        condition.withLock {
            overrides[stream] = false
            if taps.removeValue(forKey: stream) != nil { enqueue(.stop(stream)) }
        }
        return .ok(message: "stopped")
    }

    /// Drains the queue, closes every recording cleanly and stops the writer thread.
    public func shutdown() {
        let wasRunning: Bool = condition.withLock {
            guard !stopping else { return false }
            stopping = true
            taps = [:]
            condition.signal()
            return true
        }
        if wasRunning { finished.wait() }
    }

    // MARK: Writer thread

    private func run() {
        while true {
            let (batch, stop): ([Operation], Bool) = condition.withLock {
                if queue.isEmpty && !stopping { _ = condition.wait(until: Date().addingTimeInterval(0.5)) }
                let batch = Array(queue)
                queue.removeAll()
                return (batch, stopping)
            }
            for operation in batch { process(operation) }
            let now = clock()
            for (stream, writer) in writers {
                do { try writer.commitIfDue(now: now) } catch { fail(stream, error) }
            }
            if stop {
                for (stream, writer) in writers { close(stream, writer, now: now) }
                writers = [:]
                finished.signal()
                return
            }
            if now.timeIntervalSince(lastRetention) >= configuration.retentionInterval {
                lastRetention = now
                applyRetention(now: now)
            }
        }
    }

    private func process(_ operation: Operation) {
        let now = clock()
        switch operation {
        case .start(let stream, let configurations):
            configurationsByStream[stream] = []
            retryAt[stream] = nil
            open(stream, now: now)
            for frame in configurations { write(frame, stream: stream, now: now) }
        case .frame(let stream, let frame):
            condition.withLock { queuedBytes -= frame.payload.readableBytes }
            write(frame, stream: stream, now: now)
        case .stop(let stream):
            retryAt[stream] = nil
            degraded.remove(stream)
            configurationsByStream[stream] = nil
            if let writer = writers.removeValue(forKey: stream) { close(stream, writer, now: now) }
            hub?.stream(named: stream)?.setRecording(false)
            report(stream, "stopped")
        }
    }

    private func open(_ stream: String, now: Date) {
        do {
            let writer = try writers[stream] ?? DVRWriter(files: files, mediaRoot: configuration.mediaRoot, stream: stream,
                                                          now: now, options: configuration.writerOptions)
            try writer.startSession(now: now)
            writers[stream] = writer
            // After a failure the state stays degraded until a frame is written again.
            guard !degraded.contains(stream) else { return }
            hub?.stream(named: stream)?.setRecording(true, state: "recording")
            report(stream, "recording")
        } catch {
            fail(stream, error)
        }
    }

    private func write(_ frame: MediaFrame, stream: String, now: Date) {
        if frame.kind == .scriptData || frame.isSequenceHeader {
            var kept = configurationsByStream[stream, default: []].filter { !sameConfigurationSlot($0, frame) }
            kept.append(frame)
            configurationsByStream[stream] = kept
        }
        if writers[stream] == nil, let retry = retryAt[stream], now >= retry, frame.isVideoKeyframe || frame.kind == .audio {
            retryAt[stream] = nil
            open(stream, now: now)
            for configuration in configurationsByStream[stream] ?? [] { write(configuration, stream: stream, now: now) }
        }
        guard let writer = writers[stream] else { return }
        do { try writer.write(frame, now: now) } catch { return fail(stream, error) }
        if degraded.contains(stream), !(frame.kind == .scriptData || frame.isSequenceHeader) {
            degraded.remove(stream)
            hub?.stream(named: stream)?.setRecording(true, state: "recording")
            report(stream, "recording", detail: "resumed after a write failure")
        }
    }

    private func sameConfigurationSlot(_ a: MediaFrame, _ b: MediaFrame) -> Bool { a.kind == b.kind }

    private func fail(_ stream: String, _ error: any Error) {
        if let writer = writers.removeValue(forKey: stream) { try? writer.close(now: clock()) }
        retryAt[stream] = clock().addingTimeInterval(5)
        degraded.insert(stream)
        let state = "degraded: \(error); relaying continues, recording retries every 5 s"
        hub?.stream(named: stream)?.setRecording(true, state: state)
        report(stream, state, warning: true)
    }

    private func close(_ stream: String, _ writer: DVRWriter, now: Date) {
        do { try writer.close(now: now) } catch { logger.warning("closing the recording failed", metadata: ["stream": "\(stream)", "error": "\(error)"]) }
    }

    private func applyRetention(now: Date) {
        let active = Dictionary(writers.values.map { ($0.directory, $0.segmentNumber) }, uniquingKeysWith: max)
        let removed = DVRStore(files: files, mediaRoot: configuration.mediaRoot).applyRetention(configuration.retention, active: active, now: now)
        if !removed.isEmpty { logger.info("retention removed segments", metadata: ["count": "\(removed.count)"]) }
    }

    private func report(_ stream: String, _ state: String, warning: Bool = false, detail: String? = nil) {
        var metadata: Logger.Metadata = ["stream": "\(stream)", "state": "\(state)"]
        if let detail { metadata["detail"] = "\(detail)" }
        if warning {
            logger.warning("DVR state changed", metadata: metadata)
        } else {
            logger.info("DVR state changed", metadata: metadata)
        }
        events.emit(.recordingChanged(stream: stream, state: state))
    }
}

extension NSCondition {
    fileprivate func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
