import NIOCore

/// One audio, video or script-data message of a live stream, as RTMP carries it and FLV stores it:
/// the payload is an FLV tag body (starting with the codec header byte), the timestamp is in
/// milliseconds on the stream's own clock.
///
/// This is the one media type shared by the relay, the DVR recorder and the exporter, so that a
/// frame received from a publisher is recorded and relayed without conversion.
public struct MediaFrame: Sendable, Equatable {
    /// What the payload carries; raw values are the RTMP message type ids (8, 9, 18).
    public enum Kind: UInt8, Sendable, Equatable, CaseIterable {
        case audio = 8
        case video = 9
        case scriptData = 18
    }

    public var kind: Kind
    /// Decode timestamp in milliseconds. RTMP timestamps are 32-bit and wrap; writers extend them.
    public var timestamp: UInt32
    /// The FLV tag body: codec header byte(s) followed by the codec payload.
    public var payload: ByteBuffer

    public init(kind: Kind, timestamp: UInt32, payload: ByteBuffer) {
        self.kind = kind
        self.timestamp = timestamp
        self.payload = payload
    }
}
