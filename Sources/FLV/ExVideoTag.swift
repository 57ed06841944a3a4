import NIOCore

// Enhanced RTMP v2 (veovera), "Enhanced Video": the extended video tag header.
//
//   UB[1] IsExHeader=1  UB[3] FrameType  UB[4] VideoPacketType
//   while PacketType == ModEx: modExDataSize UI8+1 (256 → UI16+1), modExData, UB[4] modExType UB[4] PacketType
//   FrameType == Command (and not Metadata): VideoCommand UI8, no body
//   PacketType == Multitrack: UB[4] AvMultitrackType UB[4] PacketType [FOURCC unless ManyTracksManyCodecs]
//   else FOURCC
//   body, per track: [FOURCC if ManyTracksManyCodecs] [trackId UI8 if multitrack] [size UI24 unless OneTrack]
//                    [SI24 composition time: CodedFrames of avc1/hvc1] data

/// An E-RTMP video message header with each track's data located in the payload. Parsing is
/// bounded by the payload: every length is checked before use, ModEx chains are capped.
public struct ExVideoTag: Sendable, Equatable {
    /// VideoPacketType (E-RTMP v2).
    public enum PacketType: UInt8, Sendable, Equatable, CaseIterable {
        case sequenceStart = 0, codedFrames = 1, sequenceEnd = 2, codedFramesX = 3, metadata = 4
        case mpeg2TSSequenceStart = 5, multitrack = 6, modEx = 7
    }

    /// One track's part of the message.
    public struct Track: Sendable, Equatable {
        public var fourCC: UInt32
        public var trackID: UInt8
        /// pts − dts in milliseconds (only CodedFrames of avc1/hvc1 carry it; 0 otherwise).
        public var compositionTime: Int32
        /// Offset of the track's codec data from the payload's reader index, and its length.
        public var dataOffset: Int
        public var dataLength: Int
    }

    /// FrameType (UB[3]): 1 key, 2 inter, 3 disposable, 4 generated key, 5 command.
    public var frameType: UInt8
    /// The packet type after ModEx and Multitrack are unwrapped.
    public var packetType: PacketType
    /// nil for a single-track message.
    public var multitrack: AVMultitrackType?
    /// VideoCommand for FrameType 5 messages (no tracks then).
    public var command: UInt8?
    public var tracks: [Track]

    public var isKeyframe: Bool { (frameType == 1 || frameType == 4) && (packetType == .codedFrames || packetType == .codedFramesX) }
    public var isSequenceHeader: Bool { packetType == .sequenceStart || packetType == .mpeg2TSSequenceStart }

    /// Parses the message in `payload` (whose first byte has bit 7 set); nil when malformed.
    public init?(payload: ByteBuffer) {
        var cursor = ExTagCursor(payload)
        guard let first = cursor.u8(), first & 0x80 != 0 else { return nil }
        frameType = first >> 4 & 0x07
        guard let unwrapped = cursor.skipModEx(packetType: first & 0x0F), let type = PacketType(rawValue: unwrapped) else { return nil }
        command = nil
        multitrack = nil
        tracks = []
        if frameType == 5 && type != .metadata {
            guard let command = cursor.u8() else { return nil }
            self.command = command
            packetType = type
            return
        }
        guard let layout = cursor.readTracks(packetType: type.rawValue, multitrackType: PacketType.multitrack.rawValue,
                                             compositionTime: { packet, fourCC in
                                                 packet == PacketType.codedFrames.rawValue && (fourCC == VideoFourCC.avc1 || fourCC == VideoFourCC.hvc1)
                                             }),
              let inner = PacketType(rawValue: layout.packetType), inner != .multitrack, inner != .modEx else { return nil }
        packetType = inner
        multitrack = layout.multitrack
        tracks = layout.tracks.map { Track(fourCC: $0.fourCC, trackID: $0.trackID, compositionTime: $0.compositionTime,
                                           dataOffset: $0.dataOffset, dataLength: $0.dataLength) }
    }
}

/// AvMultitrackType (E-RTMP v2), shared by audio and video.
public enum AVMultitrackType: UInt8, Sendable, Equatable {
    case oneTrack = 0, manyTracks = 1, manyTracksManyCodecs = 2
}

/// Video FourCCs of E-RTMP.
public enum VideoFourCC {
    public static let avc1 = fourCC("avc1")
    public static let hvc1 = fourCC("hvc1")
    public static let av01 = fourCC("av01")
    public static let vp09 = fourCC("vp09")
}

/// Audio FourCCs of E-RTMP.
public enum AudioFourCC {
    public static let opus = fourCC("Opus")
    public static let flac = fourCC("fLaC")
    public static let ac3 = fourCC("ac-3")
    public static let eac3 = fourCC("ec-3")
    public static let mp3 = fourCC(".mp3")
    public static let mp4a = fourCC("mp4a")
}

/// The big-endian UInt32 of a four-character ASCII code.
func fourCC(_ text: StaticString) -> UInt32 {
    precondition(text.utf8CodeUnitCount == 4)
    var value: UInt32 = 0
    for index in 0..<4 { value = value << 8 | UInt32(text.utf8Start[index]) }
    return value
}

/// Reads E-RTMP header fields from a payload without moving its reader index; every read
/// checks the bound and returns nil past it.
struct ExTagCursor {
    let buffer: ByteBuffer
    /// Offset from the buffer's reader index.
    var offset = 0
    var end: Int { buffer.readableBytes }

    init(_ buffer: ByteBuffer) { self.buffer = buffer }

    mutating func u8() -> UInt8? {
        guard offset < end, let value = buffer.getInteger(at: buffer.readerIndex + offset, as: UInt8.self) else { return nil }
        offset += 1
        return value
    }

    mutating func u16() -> UInt16? {
        guard offset + 2 <= end, let value = buffer.getInteger(at: buffer.readerIndex + offset, as: UInt16.self) else { return nil }
        offset += 2
        return value
    }

    mutating func u24() -> UInt32? {
        guard let high = u16(), let low = u8() else { return nil }
        return UInt32(high) << 8 | UInt32(low)
    }

    mutating func u32() -> UInt32? {
        guard offset + 4 <= end, let value = buffer.getInteger(at: buffer.readerIndex + offset, as: UInt32.self) else { return nil }
        offset += 4
        return value
    }

    /// The end offset of `length` more bytes, or nil when they are not there.
    func limit(_ length: UInt32) -> Int? {
        let candidate = offset + Int(length)
        return candidate <= end ? candidate : nil
    }

    /// One track's place in a message, before the caller types it.
    struct RawTrack {
        var fourCC: UInt32
        var trackID: UInt8
        var compositionTime: Int32
        var dataOffset: Int
        var dataLength: Int
    }

    /// Reads the FourCC / Multitrack part of an audio or video header and locates each track's
    /// data (the layout is the same for both kinds). `packetType` is the type after ModEx;
    /// `multitrackType` its Multitrack value (6 video, 5 audio); `compositionTime` says whether a
    /// track's data starts with an SI24 composition time. Bounded: each track consumes bytes.
    mutating func readTracks(packetType: UInt8, multitrackType: UInt8,
                             compositionTime: (UInt8, UInt32) -> Bool) -> (multitrack: AVMultitrackType?, packetType: UInt8, tracks: [RawTrack])? {
        var type = packetType
        var multitrack: AVMultitrackType?
        var sharedFourCC: UInt32?
        if type == multitrackType {
            guard let byte = u8(), let kind = AVMultitrackType(rawValue: byte >> 4), byte & 0x0F != multitrackType else { return nil }
            multitrack = kind
            type = byte & 0x0F
            if kind != .manyTracksManyCodecs {
                guard let fourCC = u32() else { return nil }
                sharedFourCC = fourCC
            }
        } else {
            guard let fourCC = u32() else { return nil }
            sharedFourCC = fourCC
        }
        var tracks: [RawTrack] = []
        repeat {
            guard let fourCC = multitrack == .manyTracksManyCodecs ? u32() : sharedFourCC else { return nil }
            var trackID: UInt8 = 0
            var trackEnd = end
            if let multitrack {
                guard let id = u8() else { return nil }
                trackID = id
                if multitrack != .oneTrack {
                    guard let size = u24(), let limit = limit(size) else { return nil }
                    trackEnd = limit
                }
            }
            var composition: Int32 = 0
            if compositionTime(type, fourCC) {
                guard offset + 3 <= trackEnd, let cts = u24() else { return nil }
                composition = Int32(bitPattern: cts << 8) >> 8  // SI24
            }
            tracks.append(RawTrack(fourCC: fourCC, trackID: trackID, compositionTime: composition,
                                   dataOffset: offset, dataLength: trackEnd - offset))
            offset = trackEnd
        } while multitrack != nil && multitrack != .oneTrack && offset < end
        return (multitrack, type, tracks)
    }

    /// Skips ModEx blocks while `packetType` is ModEx (7); returns the packet type that follows.
    /// At most 8 blocks: a longer chain is treated as malformed.
    mutating func skipModEx(packetType: UInt8) -> UInt8? {
        var type = packetType
        var blocks = 0
        while type == 7 {
            blocks += 1
            guard blocks <= 8, let sizeByte = u8() else { return nil }
            var size = Int(sizeByte) + 1
            if size == 256 {
                guard let wide = u16() else { return nil }
                size = Int(wide) + 1
            }
            guard offset + size <= end else { return nil }
            offset += size
            guard let next = u8() else { return nil }
            type = next & 0x0F
        }
        return type
    }
}
