import NIOCore

extension MediaFrame {
    /// True for an E-RTMP multitrack message (video PacketType 6 or audio PacketType 5).
    public var isMultitrack: Bool {
        switch kind {
        case .video: return isEnhanced && FLVVideoTagHeader(payload: payload)?.extended?.multitrack != nil
        case .audio: return isEnhanced && FLVAudioTagHeader(payload: payload)?.extended?.multitrack != nil
        case .scriptData: return false
        }
    }

    /// The frame as a player that did not negotiate multitrack should get it: unchanged when it
    /// is not a multitrack message; the primary track (id 0) rewritten as a single-track E-RTMP
    /// message when the message carries it; nil when it only carries other tracks.
    public var primaryTrackOnly: MediaFrame? {
        guard isEnhanced else { return self }
        switch kind {
        case .video:
            guard let tag = FLVVideoTagHeader(payload: payload)?.extended else { return self }
            guard tag.multitrack != nil else { return self }
            guard let track = tag.tracks.first(where: { $0.trackID == 0 }) else { return nil }
            var body = ByteBuffer()
            body.reserveCapacity(track.dataLength + 8)
            body.writeInteger(UInt8(0x80 | tag.frameType << 4 | tag.packetType.rawValue))
            body.writeInteger(track.fourCC)
            if tag.packetType == .codedFrames, track.fourCC == VideoFourCC.avc1 || track.fourCC == VideoFourCC.hvc1 {
                let cts = UInt32(bitPattern: track.compositionTime)
                body.writeBytes([UInt8(cts >> 16 & 0xFF), UInt8(cts >> 8 & 0xFF), UInt8(cts & 0xFF)])
            }
            if var data = payload.getSlice(at: payload.readerIndex + track.dataOffset, length: track.dataLength) { body.writeBuffer(&data) }
            return MediaFrame(kind: .video, timestamp: timestamp, payload: body)
        case .audio:
            guard let tag = FLVAudioTagHeader(payload: payload)?.extended else { return self }
            guard tag.multitrack != nil else { return self }
            guard let track = tag.tracks.first(where: { $0.trackID == 0 }) else { return nil }
            var body = ByteBuffer()
            body.reserveCapacity(track.dataLength + 5)
            body.writeInteger(UInt8(0x90 | tag.packetType.rawValue))
            body.writeInteger(track.fourCC)
            if var data = payload.getSlice(at: payload.readerIndex + track.dataOffset, length: track.dataLength) { body.writeBuffer(&data) }
            return MediaFrame(kind: .audio, timestamp: timestamp, payload: body)
        case .scriptData:
            return self
        }
    }
}
