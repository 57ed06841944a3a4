import HighlightExport
import NIOCore
import NIOPosix
import RTMP
import Recording

extension RTMPConnection: VODOutput {
    /// Plays the recorded file `name` (see `VODName`; `raw` as the client named it). `start` is
    /// play's start argument in milliseconds (negative values, "live or recorded", start at 0),
    /// `length` its length argument in milliseconds (negative or absent: to the end).
    func playRecorded(_ name: VODName, raw: String, start: Double?, length: Double?, streamID: UInt32) {
        playStreamID = streamID
        stats?.set(kind: "player", stream: raw)
        guard let mediaRoot = node.configuration.mediaRoot else {
            reply(StatusMessages.onStatus(code: StatusCode.playStreamNotFound, description: "\(raw): this relay serves no media",
                                          level: "error"), streamID: streamID)
            return
        }
        logger.info("playing recorded file", metadata: ["name": "\(raw)"])
        let playback = VODPlayback(name: raw, output: self, eventLoop: eventLoop, logger: logger)
        vod = playback
        playback.start(VODLibrary(mediaRoot: mediaRoot, files: LocalDVRFileSystem()), name: name,
                       at: VODPlayback.milliseconds(start ?? 0), length: length.flatMap { $0 < 0 ? nil : VODPlayback.milliseconds($0) })
    }

    /// `getStreamLength`'s answer: the duration in seconds of a recorded file or recording, read
    /// on the thread pool; 0 when this relay serves no media or the file is missing.
    func replyRecordedLength(_ name: VODName, transactionID: Double) {
        guard let mediaRoot = node.configuration.mediaRoot else {
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
