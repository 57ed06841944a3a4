import NIOCore

/// One RTMP message, reassembled from chunks (RTMP spec §6.1).
public struct RTMPMessage: Sendable, Equatable {
    public var typeID: UInt8
    /// Message stream id (0 for the connection's control stream).
    public var streamID: UInt32
    /// Absolute timestamp in milliseconds.
    public var timestamp: UInt32
    public var payload: ByteBuffer

    public init(typeID: UInt8, streamID: UInt32, timestamp: UInt32, payload: ByteBuffer) {
        self.typeID = typeID
        self.streamID = streamID
        self.timestamp = timestamp
        self.payload = payload
    }

    public var type: RTMPMessageType? { RTMPMessageType(rawValue: typeID) }
}

/// Message type ids (RTMP spec §5.4 and §7.1).
public enum RTMPMessageType: UInt8, Sendable {
    case setChunkSize = 1
    case abort = 2
    case acknowledgement = 3
    case userControl = 4
    case windowAcknowledgementSize = 5
    case setPeerBandwidth = 6
    case audio = 8
    case video = 9
    case dataAMF3 = 15
    case sharedObjectAMF3 = 16
    case commandAMF3 = 17
    case dataAMF0 = 18
    case sharedObjectAMF0 = 19
    case commandAMF0 = 20
    case aggregate = 22
}

/// Chunk stream ids this implementation sends on (any 2...65599 is legal).
public enum RTMPChunkStreamID {
    public static let control: UInt32 = 2
    public static let command: UInt32 = 3
    public static let audio: UInt32 = 4
    public static let video: UInt32 = 6
    public static let data: UInt32 = 5
}
