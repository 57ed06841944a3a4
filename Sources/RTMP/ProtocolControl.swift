import NIOCore

/// User Control event types (RTMP spec §7.1.7).
public enum UserControlEvent: Equatable, Sendable {
    case streamBegin(streamID: UInt32)
    case streamEOF(streamID: UInt32)
    case streamDry(streamID: UInt32)
    case setBufferLength(streamID: UInt32, milliseconds: UInt32)
    case streamIsRecorded(streamID: UInt32)
    case pingRequest(timestamp: UInt32)
    case pingResponse(timestamp: UInt32)
    case unknown(type: UInt16)

    /// Parses a User Control message payload; nil when truncated.
    public init?(payload: ByteBuffer) {
        var payload = payload
        guard let type = payload.readInteger(as: UInt16.self), let value = payload.readInteger(as: UInt32.self) else { return nil }
        switch type {
        case 0: self = .streamBegin(streamID: value)
        case 1: self = .streamEOF(streamID: value)
        case 2: self = .streamDry(streamID: value)
        case 3:
            guard let length = payload.readInteger(as: UInt32.self) else { return nil }
            self = .setBufferLength(streamID: value, milliseconds: length)
        case 4: self = .streamIsRecorded(streamID: value)
        case 6: self = .pingRequest(timestamp: value)
        case 7: self = .pingResponse(timestamp: value)
        default: self = .unknown(type: type)
        }
    }

    var encoded: (type: UInt16, values: [UInt32]) {
        switch self {
        case .streamBegin(let id): return (0, [id])
        case .streamEOF(let id): return (1, [id])
        case .streamDry(let id): return (2, [id])
        case .setBufferLength(let id, let ms): return (3, [id, ms])
        case .streamIsRecorded(let id): return (4, [id])
        case .pingRequest(let ts): return (6, [ts])
        case .pingResponse(let ts): return (7, [ts])
        case .unknown(let type): return (type, [0])
        }
    }
}

/// Builders for protocol control messages (RTMP spec §5.4), sent on chunk stream 2, message stream 0.
public enum ProtocolControl {
    public static func setChunkSize(_ size: Int) -> RTMPMessage { uint32Message(.setChunkSize, UInt32(size)) }
    public static func abort(chunkStreamID: UInt32) -> RTMPMessage { uint32Message(.abort, chunkStreamID) }
    public static func acknowledgement(sequenceNumber: UInt32) -> RTMPMessage { uint32Message(.acknowledgement, sequenceNumber) }
    public static func windowAcknowledgementSize(_ size: UInt32) -> RTMPMessage { uint32Message(.windowAcknowledgementSize, size) }

    /// Limit type: 0 hard, 1 soft, 2 dynamic.
    public static func setPeerBandwidth(_ size: UInt32, limitType: UInt8 = 2) -> RTMPMessage {
        var payload = ByteBuffer()
        payload.writeInteger(size)
        payload.writeInteger(limitType)
        return RTMPMessage(typeID: RTMPMessageType.setPeerBandwidth.rawValue, streamID: 0, timestamp: 0, payload: payload)
    }

    public static func userControl(_ event: UserControlEvent) -> RTMPMessage {
        var payload = ByteBuffer()
        let (type, values) = event.encoded
        payload.writeInteger(type)
        for value in values { payload.writeInteger(value) }
        return RTMPMessage(typeID: RTMPMessageType.userControl.rawValue, streamID: 0, timestamp: 0, payload: payload)
    }

    /// The 32-bit value of a Set Chunk Size / Abort / Ack / Window Ack Size message.
    public static func uint32Value(of message: RTMPMessage) -> UInt32? {
        message.payload.getInteger(at: message.payload.readerIndex, as: UInt32.self)
    }

    private static func uint32Message(_ type: RTMPMessageType, _ value: UInt32) -> RTMPMessage {
        var payload = ByteBuffer()
        payload.writeInteger(value)
        return RTMPMessage(typeID: type.rawValue, streamID: 0, timestamp: 0, payload: payload)
    }
}

/// Tracks bytes received and says when an Acknowledgement is due (RTMP spec §5.4.3), so that
/// publishers that wait for acks (Flash, FMLE, some hardware encoders) never stall.
public struct AcknowledgementTracker: Sendable {
    public private(set) var windowSize: UInt32
    public private(set) var totalReceived: UInt64 = 0
    private var lastAcknowledged: UInt64 = 0

    public init(windowSize: UInt32 = 2_500_000) { self.windowSize = windowSize }

    public mutating func setWindowSize(_ size: UInt32) { windowSize = max(size, 1) }

    /// Records `count` received bytes; returns the sequence number to acknowledge when due.
    public mutating func received(_ count: Int) -> UInt32? {
        totalReceived += UInt64(count)
        guard totalReceived - lastAcknowledged >= UInt64(windowSize) else { return nil }
        lastAcknowledged = totalReceived
        return UInt32(truncatingIfNeeded: totalReceived)
    }
}
