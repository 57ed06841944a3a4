import FLV
import NIOCore
import RTMP

/// How a player wants messages serialized: chunk size, the message stream id of its play, and
/// whether it takes every E-RTMP track (negotiated multitrack) or the primary one of each kind.
/// Players that share a key share the very same bytes.
struct EncodingKey: Hashable, Sendable {
    var chunkSize: Int
    var streamID: UInt32
    var allTracks = false
}

/// One media message, serialized once per encoding key, ready to be written to players.
struct OutgoingFrame: Sendable {
    var kind: MediaFrame.Kind
    var timestamp: UInt32
    var isKeyframe: Bool
    /// Sequence headers and metadata: never skipped.
    var isConfiguration: Bool
    /// The serialized message per encoding key: almost always one, so a short array searched
    /// linearly (no hashing per player per frame).
    var encodings: [(key: EncodingKey, bytes: ByteBuffer)]
    var payloadSize: Int
    /// The frame itself, for subscribers that do not speak RTMP.
    var frame: MediaFrame

    /// The bytes for players with encoding `key`.
    func bytes(for key: EncodingKey) -> ByteBuffer? {
        for encoding in encodings where encoding.key == key { return encoding.bytes }
        return nil
    }

    static func encode(_ frame: MediaFrame, keys: some Sequence<EncodingKey>) -> OutgoingFrame {
        var encodings: [(key: EncodingKey, bytes: ByteBuffer)] = []
        // Decided once per message, not per player: what players without multitrack get (nil: nothing).
        let multitrack = frame.isMultitrack
        var primary: MediaFrame?? = multitrack ? nil : .some(frame)
        for key in keys where !encodings.contains(where: { $0.key == key }) {
            var variant = frame
            if !key.allTracks, multitrack {
                if primary == nil { primary = .some(frame.primaryTrackOnly) }
                guard let selected = primary ?? nil else { continue }
                variant = selected
            }
            // Metadata goes out at timestamp 0 as publishers send it: players (ffmpeg's FLV demuxer)
            // take a data message with a later timestamp for a subtitle stream.
            let timestamp = frame.kind == .scriptData ? 0 : frame.timestamp
            let message = RTMPMessage(typeID: frame.kind.rawValue, streamID: key.streamID, timestamp: timestamp, payload: variant.payload)
            encodings.append((key, ChunkEncoder.encode(message, chunkStreamID: frame.kind.chunkStreamID, chunkSize: key.chunkSize)))
        }
        return OutgoingFrame(kind: frame.kind, timestamp: frame.timestamp, isKeyframe: frame.isVideoKeyframe,
                             isConfiguration: frame.kind == .scriptData || frame.isSequenceHeader,
                             encodings: encodings, payloadSize: frame.payload.readableBytes, frame: frame)
    }
}

/// Frames relayed together (one read from the source, or one merge window) as players get them:
/// each frame on its own, for a player that must skip some, and per encoding all of their bytes
/// back to back, so that a player keeping up gets the whole batch in one write.
struct OutgoingBatch: Sendable {
    var frames: [OutgoingFrame]
    /// Per encoding key, the frames' bytes in order; for a single frame its own bytes (no copy).
    private var contiguous: [(key: EncodingKey, bytes: ByteBuffer)]

    /// `keys`: the encodings the frames were serialized for (each once).
    init(_ frames: [OutgoingFrame], keys: some Sequence<EncodingKey>) {
        self.frames = frames
        guard frames.count != 1 else {
            contiguous = frames[0].encodings
            return
        }
        // One copy per batch and encoding, shared by every player: cheaper than a write per
        // frame per player.
        contiguous = keys.map { key in
            let parts = frames.compactMap { $0.bytes(for: key) }
            var joined = ByteBuffer()
            joined.reserveCapacity(parts.reduce(0) { $0 + $1.readableBytes })
            for var part in parts { joined.writeBuffer(&part) }
            return (key, joined)
        }
    }

    /// The same batch with its joined bytes in storage of its own, for the players of another
    /// event loop: every write to a player retains and releases the buffer's storage, and
    /// players on two cores sharing one storage would fight over its reference count.
    func copiedForAnotherLoop() -> OutgoingBatch {
        var copy = self
        copy.contiguous = contiguous.map { ($0.key, ByteBuffer(buffer: $0.bytes)) }
        return copy
    }

    /// Every frame's bytes for players with encoding `key`, in one buffer.
    func contiguousBytes(for key: EncodingKey) -> ByteBuffer? {
        for encoding in contiguous where encoding.key == key { return encoding.bytes }
        return nil
    }
}

extension MediaFrame.Kind {
    var chunkStreamID: UInt32 {
        switch self {
        case .audio: return RTMPChunkStreamID.audio
        case .video: return RTMPChunkStreamID.video
        case .scriptData: return RTMPChunkStreamID.data
        }
    }
}

/// A player of a live stream. All calls arrive on the subscriber's own event loop.
///
/// Frames come in batches (`OutgoingBatch`): write the batch, then flush once. A subscriber that
/// wants `MediaFrame`s rather than RTMP bytes takes them from `OutgoingFrame.frame`.
protocol StreamSubscriber: AnyObject, Sendable {
    var eventLoop: any EventLoop { get }
    var encodingKey: EncodingKey { get }
    func deliver(_ batch: OutgoingBatch)
    /// A publisher (re)started the stream: `NetStream.Play.PublishNotify`.
    func streamDidStart(_ name: String)
    /// The publisher left: `NetStream.Play.UnpublishNotify`; the player stays attached.
    func streamDidStop(_ name: String)
    /// No upstream delivered the stream in time: `NetStream.Play.StreamNotFound`; the player
    /// stays attached (media follows if the stream turns up later).
    func streamNotFound(_ name: String)
}

/// Watches every frame of every stream without being able to slow it (the DVR recorder).
/// Implementations must return at once (hand work to their own queue).
public protocol StreamObserver: Sendable {
    func streamStarted(_ name: String)
    func frame(_ frame: MediaFrame, stream: String)
    func streamStopped(_ name: String)
}
