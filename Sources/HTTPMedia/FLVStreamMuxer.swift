import FLV
import NIOCore

/// HTTP-FLV: the FLV file header once, then one tag per frame (Adobe FLV spec v10.1, E.2–E.3),
/// the same bytes an FLV file holds, so flv.js/mpegts.js, ffplay and VLC read it as a stream.
public struct FLVStreamMuxer: LiveMuxer, Sendable {
    private var headerWritten = false
    private let hasAudio: Bool
    private let hasVideo: Bool

    public init(hasAudio: Bool = true, hasVideo: Bool = true) {
        self.hasAudio = hasAudio
        self.hasVideo = hasVideo
    }

    /// The bytes for `frame`: the header first when nothing was written yet.
    public mutating func append(_ frame: MediaFrame) -> [ByteBuffer] {
        var out = headerWritten ? ByteBuffer() : FLVFileWriter.header(hasAudio: hasAudio, hasVideo: hasVideo)
        headerWritten = true
        Self.writeTag(frame, into: &out)
        return [out]
    }

    /// One tag; script data (`onMetaData`) at timestamp 0, as RTMP relays it: ffmpeg's FLV
    /// demuxer takes a data tag with a later timestamp for a subtitle stream.
    public static func writeTag(_ frame: MediaFrame, into buffer: inout ByteBuffer) {
        var frame = frame
        if frame.kind == .scriptData { frame.timestamp = 0 }
        FLVFileWriter.writeTag(frame, into: &buffer)
    }

    public mutating func flush() -> [ByteBuffer] { [] }
}
