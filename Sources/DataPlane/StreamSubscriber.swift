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
/// Frames come in batches: `deliver` for each frame (write, do not flush), then `endOfBatch`
/// (flush once). A subscriber that wants `MediaFrame`s rather than RTMP bytes (HTTP delivery)
/// takes them from `OutgoingFrame.frame`.
protocol StreamSubscriber: AnyObject, Sendable {
    var eventLoop: any EventLoop { get }
    var encodingKey: EncodingKey { get }
    func deliver(_ frame: OutgoingFrame)
    /// The batch delivered since the last call is complete: flush it.
    func endOfBatch()
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
