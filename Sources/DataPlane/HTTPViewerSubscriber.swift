import NIOCore

/// How an HTTP viewer (or a stream's shared HLS output) is attached to a live stream "like a
/// player": it is counted with the players, its arrival starts a pull on intermediates and
/// edges, and the pull's grace period waits for it to leave. Its media arrives through the
/// hub's observer path as `MediaFrame`s (HTTP muxers need frames, not RTMP chunks), so the
/// chunked deliveries are ignored here.
final class HTTPViewerSubscriber: StreamSubscriber {
    let eventLoop: any EventLoop
    let encodingKey: EncodingKey

    init(eventLoop: any EventLoop, encodingKey: EncodingKey) {
        self.eventLoop = eventLoop
        self.encodingKey = encodingKey
    }

    func deliver(_ batch: OutgoingBatch) {}
    func streamDidStart(_ name: String) {}
    func streamDidStop(_ name: String) {}
    func streamNotFound(_ name: String) {}
}
