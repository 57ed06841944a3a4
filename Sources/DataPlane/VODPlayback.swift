import DequeModule
import FLV
import HighlightExport
import Logging
import NIOCore
import NIOPosix
import RTMP

/// Where a VOD playback writes: the player's RTMP connection, called on its event loop.
protocol VODOutput: AnyObject {
    var vodStreamID: UInt32 { get }
    /// False while the connection's write buffer is above its high mark.
    var isWritable: Bool { get }
    func vodSend(_ message: RTMPMessage, on chunkStreamID: UInt32)
    func vodReply(_ command: CommandMessage)
    func vodFlush()
}

/// One player's playback of a recorded file (FMS-style VOD): reads a few seconds ahead on the
/// NIO thread pool (`VODReader`), paces frames at real time with a small lead (`VODPacer`),
/// answers `seek` and `pause`, and ends with `NetStream.Play.Complete` and `NetStream.Play.Stop`.
/// A DVR recording still being written is followed as it grows: at its live edge the recording is
/// reopened (at most twice a second) and playback continues with what was written since.
/// Memory per player is bounded by the read-ahead (a few seconds of media) plus the connection's
/// write buffer, which is never overfilled: frames wait while the channel is not writable.
///
/// Every mutable field is touched only on `eventLoop`; reads run on the thread pool with their
/// own copy of the reader and come back to the loop, where a result from before a seek or stop
/// is dropped (`generation`).
final class VODPlayback: @unchecked Sendable {
    /// Milliseconds of media read per thread-pool task.
    static let window: Int64 = 1000
    /// Frames written per pacing tick at most, so one player cannot hog its event loop.
    static let framesPerTick = 256

    let name: String
    private weak var output: (any VODOutput)?
    private let eventLoop: any EventLoop
    private let logger: Logger
    private let pool = NIOThreadPool.singleton

    private var library: VODLibrary?
    private var vodName: VODName?
    private var source: Unchecked<any ExportSampleSource>?
    private var nextReopen: UInt64 = 0
    private var reader: Unchecked<VODReader>?
    private var shift: Int64 = 0
    private var metadata: VODMetadata?
    private var pacer = VODPacer()
    private var buffer = Deque<MediaFrame>()
    private var reading = false
    private var completed = false
    private var stopped = false
    private var paused = false
    private var generation = 0
    private var lastSent: Int64 = 0
    /// play's length: no frame at or after this media time is sent (nil: to the end).
    private var endAt: Int64?
    private var bytesSent: Int = 0
    private var tick: Scheduled<Void>?

    init(name: String, output: any VODOutput, eventLoop: any EventLoop, logger: Logger) {
        self.name = name
        self.output = output
        self.eventLoop = eventLoop
        self.logger = logger
    }

    /// Opens `vodName` in `library` and starts playing at `start` (ms): `Play.Reset`, `Play.Start`
    /// and media, or `Play.StreamNotFound`. With a `length` (ms), playback ends (`Play.Complete`,
    /// `Play.Stop`) before the first frame at `start + length` or later; 0 plays the frames up to
    /// `start` (FMS: a single frame).
    func start(_ library: VODLibrary, name vodName: VODName, at start: Int64, length: Int64? = nil) {
        self.library = library
        endAt = length.map { start + max($0, 1) }
        self.vodName = vodName
        generation += 1
        let generation = self.generation
        pool.runIfActive(eventLoop: eventLoop) { () -> Unchecked<(any ExportSampleSource, VODReader, [MediaFrame])?> in
            guard let source = try library.open(vodName) else { return Unchecked(nil) }
            var reader = try VODReader(source: source, start: start)
            let frames = try reader.read(window: Self.window)
            return Unchecked((source, reader, frames))
        }.whenComplete { result in
            guard generation == self.generation, !self.stopped else { return }
            switch result {
            case .success(let opened):
                guard let (source, reader, frames) = opened.value else { return self.notFound("no such file or recording") }
                self.source = Unchecked(source)
                self.shift = reader.shift
                self.metadata = VODMetadata(source: source)
                self.begin(reader: reader, frames: frames, seek: false)
            case .failure(let error):
                self.logger.info("cannot play recorded file", metadata: ["name": "\(self.name)", "error": "\(error)"])
                self.notFound("\(error)")
            }
        }
    }

    /// `seek(ms)`: `NetStream.Seek.Notify`, then media from the keyframe at or before `target`.
    func seek(to target: Double) {
        guard !stopped, let source, let library, let vodName else { return }
        let milliseconds = Self.milliseconds(target)
        generation += 1
        let generation = self.generation
        reading = true
        reader = nil
        buffer.removeAll()
        tick?.cancel()
        let shift = self.shift
        pool.runIfActive(eventLoop: eventLoop) { () -> Unchecked<(VODReader, [MediaFrame])> in
            // A recording still being written may have grown past the seek target since the play.
            let current = source.value.isLive ? (try library.open(vodName) ?? source.value) : source.value
            var reader = try VODReader(source: current, start: milliseconds, shift: shift)
            let frames = try reader.read(window: Self.window)
            return Unchecked((reader, frames))
        }.whenComplete { result in
            guard generation == self.generation, !self.stopped else { return }
            switch result {
            case .success(let opened):
                self.begin(reader: opened.value.0, frames: opened.value.1, seek: true)
            case .failure(let error):
                self.fail(error)
            }
        }
    }

    /// `pause(true|false, ms)`: stops or restarts the clock where the last frame was.
    func pause(_ pause: Bool, at milliseconds: Double) {
        guard !stopped, source != nil, pause != paused else { return }
        paused = pause
        if pause {
            pacer.stop()
            status(StatusCode.pauseNotify, "Pausing \(name).")
        } else {
            pacer.start(media: buffer.first.map { Int64($0.timestamp) } ?? lastSent, now: Self.now)
            status(StatusCode.unpauseNotify, "Unpausing \(name).")
            schedule(after: .zero)
        }
        output?.vodFlush()
    }

    /// The player stopped or left: nothing more is sent, reads in flight are dropped.
    func stop() {
        stopped = true
        generation += 1
        tick?.cancel()
        buffer.removeAll()
        reader = nil
    }

    // MARK: Playing

    private func begin(reader: VODReader, frames: [MediaFrame], seek: Bool) {
        guard let output else { return }
        self.reader = Unchecked(reader)
        reading = false
        completed = false
        buffer = Deque(frames)
        let streamID = output.vodStreamID
        output.vodSend(ProtocolControl.userControl(.streamIsRecorded(streamID: streamID)), on: RTMPChunkStreamID.control)
        output.vodSend(ProtocolControl.userControl(.streamBegin(streamID: streamID)), on: RTMPChunkStreamID.control)
        if seek {
            status(StatusCode.seekNotify, "Seeking \(reader.startTimestamp) (stream ID: \(streamID)).")
        } else {
            status(StatusCode.playReset, "Playing and resetting \(name).")
        }
        status(StatusCode.playStart, "Started playing \(name).")
        let access = DataMessage(values: ["|RtmpSampleAccess", true, true])
        output.vodSend(RTMPMessage(typeID: 18, streamID: streamID, timestamp: 0, payload: access.payload), on: RTMPChunkStreamID.data)
        if let metadata {
            let payload = DataMessage(values: ["onMetaData", .ecmaArray(metadata.amf0Properties)]).payload
            output.vodSend(RTMPMessage(typeID: 18, streamID: streamID, timestamp: UInt32(clamping: max(0, reader.startTimestamp)), payload: payload),
                           on: RTMPChunkStreamID.data)
        }
        output.vodFlush()
        lastSent = reader.startTimestamp
        if !paused { pacer.start(media: reader.startTimestamp, now: Self.now) }
        schedule(after: .zero)
    }

    private func pace() {
        guard !stopped, let output else { return }
        let now = Self.now
        var sent = 0
        var reachedEnd = false
        while sent < Self.framesPerTick, output.isWritable, let frame = buffer.first, pacer.isDue(Int64(frame.timestamp), now: now) {
            if let endAt, frame.kind != .scriptData, Int64(frame.timestamp) >= endAt {
                reachedEnd = true
                break
            }
            buffer.removeFirst()
            output.vodSend(RTMPMessage(typeID: frame.kind.rawValue, streamID: output.vodStreamID, timestamp: frame.timestamp,
                                       payload: frame.payload), on: frame.kind.chunkStreamID)
            lastSent = Int64(frame.timestamp)
            bytesSent += frame.payload.readableBytes
            sent += 1
        }
        if sent > 0 { output.vodFlush() }
        if reachedEnd || (buffer.isEmpty && !reading && reader?.value.isFinished ?? false) {
            buffer.removeAll()
            return complete()
        }
        if !reading, let reader, !reader.value.isFinished, pacer.needsData(bufferedUntil: buffer.last.map { Int64($0.timestamp) }, now: now) {
            if !reader.value.isAtLiveEdge {
                readMore(reader, reopen: false)
            } else if now >= nextReopen {
                nextReopen = now + 500_000_000
                readMore(reader, reopen: true)
            }
        }
        let wait: TimeAmount
        if !output.isWritable || sent == Self.framesPerTick {
            wait = .milliseconds(10)
        } else if let frame = buffer.first, let delay = pacer.delay(until: Int64(frame.timestamp), now: now) {
            wait = .nanoseconds(Int64(min(max(delay, 2_000_000), 100_000_000)))
        } else {
            wait = .milliseconds(50)
        }
        schedule(after: wait)
    }

    /// Reads the next window on the thread pool; `reopen` first takes a newer snapshot of a
    /// recording at its live edge.
    private func readMore(_ reader: Unchecked<VODReader>, reopen: Bool) {
        reading = true
        self.reader = nil
        let generation = self.generation
        let library = self.library
        let vodName = self.vodName
        pool.runIfActive(eventLoop: eventLoop) { () -> Unchecked<(VODReader, [MediaFrame])> in
            var reader = reader.value
            if reopen, let library, let vodName, let newer = try library.open(vodName) { reader.extend(with: newer) }
            let frames = try reader.read(window: Self.window)
            return Unchecked((reader, frames))
        }.whenComplete { result in
            guard generation == self.generation, !self.stopped else { return }
            self.reading = false
            switch result {
            case .success(let read):
                self.reader = Unchecked(read.value.0)
                self.buffer.append(contentsOf: read.value.1)
            case .failure(let error):
                self.fail(error)
            }
        }
    }

    private func schedule(after delay: TimeAmount) {
        tick?.cancel()
        tick = eventLoop.scheduleTask(in: delay) { [weak self] in self?.pace() }
    }

    /// End of the file: `onPlayStatus(NetStream.Play.Complete)`, StreamEOF, `NetStream.Play.Stop`.
    /// The player may still seek back.
    private func complete() {
        guard !completed, let output else { return }
        completed = true
        tick?.cancel()
        let info = StatusMessages.info(code: "NetStream.Play.Complete", description: "Finished playing \(name).",
                                       extra: [AMF0Property("duration", .number(metadata?.duration ?? 0)),
                                               AMF0Property("bytes", .number(Double(bytesSent)))])
        let payload = DataMessage(values: ["onPlayStatus", info]).payload
        output.vodSend(RTMPMessage(typeID: 18, streamID: output.vodStreamID, timestamp: UInt32(clamping: max(0, lastSent)), payload: payload),
                       on: RTMPChunkStreamID.data)
        output.vodSend(ProtocolControl.userControl(.streamEOF(streamID: output.vodStreamID)), on: RTMPChunkStreamID.control)
        status(StatusCode.playStop, "Stopped playing \(name).")
        output.vodFlush()
        logger.info("recorded file played to the end", metadata: ["name": "\(name)"])
    }

    private func fail(_ error: any Error) {
        logger.warning("reading a recorded file failed", metadata: ["name": "\(name)", "error": "\(error)"])
        status("NetStream.Play.Failed", "\(name): \(error)", level: "error")
        status(StatusCode.playStop, "Stopped playing \(name).")
        output?.vodFlush()
        stop()
    }

    private func notFound(_ reason: String) {
        status(StatusCode.playStreamNotFound, "\(name): \(reason)", level: "error")
        output?.vodFlush()
        stop()
    }

    private func status(_ code: String, _ description: String, level: String = "status") {
        output?.vodReply(StatusMessages.onStatus(code: code, description: description, level: level))
    }

    private static var now: UInt64 { NIODeadline.now().uptimeNanoseconds }

    /// A time from the network (play's start, seek, pause) as milliseconds: negative, NaN or
    /// absurd values are clamped, never trapped on.
    static func milliseconds(_ value: Double) -> Int64 {
        guard value.isFinite, value > 0 else { return 0 }
        return Int64(min(value, 1e15))
    }
}

/// Carries a value that is not `Sendable` (a source or reader) to a thread-pool task and back.
/// Safe here because only one task or the event loop owns a reader at a time, and sources are
/// only read (their files are opened per read).
struct Unchecked<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

extension VODMetadata {
    /// The `onMetaData` properties (FLV spec v10.1, E.5).
    var amf0Properties: [AMF0Property] {
        var properties = [AMF0Property("duration", .number(duration))]
        if let width { properties.append(AMF0Property("width", .number(Double(width)))) }
        if let height { properties.append(AMF0Property("height", .number(Double(height)))) }
        if let videoCodecID { properties.append(AMF0Property("videocodecid", .number(Double(videoCodecID)))) }
        if let audioCodecID { properties.append(AMF0Property("audiocodecid", .number(Double(audioCodecID)))) }
        if let audioSampleRate { properties.append(AMF0Property("audiosamplerate", .number(Double(audioSampleRate)))) }
        if let audioChannels { properties.append(AMF0Property("stereo", .boolean(audioChannels > 1))) }
        return properties
    }
}
