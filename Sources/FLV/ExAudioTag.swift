import NIOCore

// Enhanced RTMP v2 (veovera), "Enhanced Audio": SoundFormat 9 (ExHeader).
//
//   UB[4] SoundFormat=9  UB[4] AudioPacketType
//   while PacketType == ModEx: modExDataSize UI8+1 (256 → UI16+1), modExData, UB[4] modExType UB[4] PacketType
//   PacketType == Multitrack: UB[4] AvMultitrackType UB[4] PacketType [FOURCC unless ManyTracksManyCodecs]
//   else FOURCC
//   body, per track: [FOURCC if ManyTracksManyCodecs] [trackId UI8 if multitrack] [size UI24 unless OneTrack] data

/// An E-RTMP audio message header with each track's data located in the payload; parsing is
/// bounded by the payload.
public struct ExAudioTag: Sendable, Equatable {
    /// AudioPacketType (E-RTMP v2).
    public enum PacketType: UInt8, Sendable, Equatable, CaseIterable {
        case sequenceStart = 0, codedFrames = 1, sequenceEnd = 2, multichannelConfig = 4, multitrack = 5, modEx = 7
    }

    /// One track's part of the message.
    public struct Track: Sendable, Equatable {
        public var fourCC: UInt32
        public var trackID: UInt8
        /// Offset of the track's codec data from the payload's reader index, and its length.
        public var dataOffset: Int
        public var dataLength: Int
    }

    /// The packet type after ModEx and Multitrack are unwrapped.
    public var packetType: PacketType
    /// nil for a single-track message.
    public var multitrack: AVMultitrackType?
    public var tracks: [Track]

    public var isSequenceHeader: Bool { packetType == .sequenceStart }

    /// Parses the message in `payload` (SoundFormat 9); nil when malformed.
    public init?(payload: ByteBuffer) {
        var cursor = ExTagCursor(payload)
        guard let first = cursor.u8(), first >> 4 == 9,
              let unwrapped = cursor.skipModEx(packetType: first & 0x0F), let type = PacketType(rawValue: unwrapped) else { return nil }
        guard let layout = cursor.readTracks(packetType: type.rawValue, multitrackType: PacketType.multitrack.rawValue,
                                             compositionTime: { _, _ in false }),
              let inner = PacketType(rawValue: layout.packetType), inner != .multitrack, inner != .modEx else { return nil }
        packetType = inner
        multitrack = layout.multitrack
        tracks = layout.tracks.map { Track(fourCC: $0.fourCC, trackID: $0.trackID, dataOffset: $0.dataOffset, dataLength: $0.dataLength) }
    }
}
