import HighlightExport
import NIOCore
import NIOPosix
import RTMP
import Recording

extension RTMPConnection: VODOutput {
    /// Plays a recorded file when `raw` is a VOD name (`mp4:exports/goal-1.f4v`, `mp4:dvr/live`,
    /// see `VODName`) and returns true; false leaves `raw` to the live path. `start` is play's
    /// start argument in milliseconds (negative values, "live or recorded", start at 0), `length`
    /// its length argument in milliseconds (negative or absent: to the end). The connection's app
    /// instance may hold the front of the name (`VODName.joining`).
    func playVOD(_ played: String, start: Double?, length: Double? = nil, streamID: UInt32) -> Bool {
        let raw = VODName.joining(app: connectedApp, play: played)
        let name: VODName
        do {
            guard let parsed = try VODName(raw) else { return false }
            name = parsed
        } catch {
            stopPlaying()
            reply(StatusMessages.onStatus(code: StatusCode.playStreamNotFound, description: "\(raw): \(error)", level: "error"), streamID: streamID)
            return true
        }
        stopPlaying()
        playStreamID = streamID
        stats?.set(kind: "player", stream: raw)
        guard let mediaRoot = node.configuration.mediaRoot else {
            reply(StatusMessages.onStatus(code: StatusCode.playStreamNotFound, description: "\(raw): this relay serves no media",
                                          level: "error"), streamID: streamID)
            return true
        }
        logger.info("playing recorded file", metadata: ["name": "\(raw)"])
        let playback = VODPlayback(name: raw, output: self, eventLoop: eventLoop, logger: logger)
        vod = playback
        playback.start(VODLibrary(mediaRoot: mediaRoot, files: LocalDVRFileSystem()), name: name,
                       at: VODPlayback.milliseconds(start ?? 0), length: length.flatMap { $0 < 0 ? nil : VODPlayback.milliseconds($0) })
        return true
    }

    /// `getStreamLength(name)` (FMS; Flash players ask before a VOD play): the duration in
    /// seconds of a recorded file or recording (read on the thread pool), 0 for live or unknown names.
    func replyStreamLength(_ call: CommandMessage) {
        let transactionID = call.transactionID
        guard let raw = call.firstStringArgument, let name = try? VODName(VODName.joining(app: connectedApp, play: raw)),
              let mediaRoot = node.configuration.mediaRoot else {
            reply(StatusMessages.result(transactionID: transactionID, .number(0)))
            return
        }
        let library = VODLibrary(mediaRoot: mediaRoot, files: LocalDVRFileSystem())
        NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) { () -> Double in
            (try library.open(name))?.availableDuration ?? 0
        }.whenComplete { result in
            self.reply(StatusMessages.result(transactionID: transactionID, .number((try? result.get()) ?? 0)))
            self.flush()
        }
    }

    var vodStreamID: UInt32 { playStreamID }
    var isWritable: Bool { context != nil && writable }

    func vodSend(_ message: RTMPMessage, on chunkStreamID: UInt32) { send(message, on: chunkStreamID) }
    func vodReply(_ command: CommandMessage) { reply(command, streamID: playStreamID) }
    func vodFlush() { flush() }
}
