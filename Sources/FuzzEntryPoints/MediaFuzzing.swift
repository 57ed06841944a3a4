import FLV
import ISOBMFF
import NIOCore

/// Audio and video tag bodies as a publisher or an FLV file delivers them: the tag header, then
/// for sequence headers the decoder configuration the relay and the exporter parse (AVC record
/// and its SPSs, AAC AudioSpecificConfig).
enum MediaFuzzing {
    static func video(_ payload: ByteBuffer) {
        guard let header = FLVVideoTagHeader(payload: payload), header.isSequenceHeader, header.codec == .avc else { return }
        var body = payload
        guard body.readableBytes >= header.headerLength else { return }
        body.moveReaderIndex(forwardBy: header.headerLength)
        avcConfiguration(Array(body.readableBytesView))
    }

    static func audio(_ payload: ByteBuffer) {
        guard let header = FLVAudioTagHeader(payload: payload), header.isSequenceHeader else { return }
        var body = payload
        guard body.readableBytes >= header.headerLength else { return }
        body.moveReaderIndex(forwardBy: header.headerLength)
        _ = try? AudioSpecificConfig(bytes: Array(body.readableBytesView))
    }

    static func avcConfiguration(_ bytes: [UInt8]) {
        guard let record = try? AVCDecoderConfigurationRecord(bytes: bytes) else { return }
        for sps in record.sequenceParameterSets { _ = try? H264SequenceParameterSet(nalUnit: sps) }
    }
}

/// FLV video/audio tag bodies: the first byte picks audio (odd) or video (even).
enum FLVTagHeaderFuzzing {
    static func run(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let payload = ByteBuffer(bytes: bytes.dropFirst())
        if selector & 1 == 1 { MediaFuzzing.audio(payload) } else { MediaFuzzing.video(payload) }
        _ = MediaFrame(kind: selector & 1 == 1 ? .audio : .video, timestamp: 0, payload: payload).isVideoKeyframe
    }
}

/// An AVCDecoderConfigurationRecord (FLV AVC sequence header body, MP4 `avcC`).
enum AVCConfigurationFuzzing {
    static func run(_ bytes: [UInt8]) { MediaFuzzing.avcConfiguration(bytes) }
}

/// One H.264 sequence parameter set NAL unit.
enum H264SPSFuzzing {
    static func run(_ bytes: [UInt8]) { _ = try? H264SequenceParameterSet(nalUnit: bytes) }
}

/// An AAC AudioSpecificConfig, and the same bytes as an MP4 `esds` payload.
enum AACConfigurationFuzzing {
    static func run(_ bytes: [UInt8]) {
        _ = try? AudioSpecificConfig(bytes: bytes)
        if let config = try? ElementaryStreamDescriptor.audioSpecificConfig(in: ByteBuffer(bytes: bytes)) {
            _ = try? AudioSpecificConfig(bytes: config)
        }
    }
}

/// A whole FLV file (a clip in the media root's `sources/`), read tag by tag with every tag's
/// headers and configurations parsed.
enum FLVFileFuzzing {
    static func run(_ bytes: [UInt8]) {
        var reader = FLVFileReader()
        for piece in FuzzInput.pieces(bytes) {
            reader.append(ByteBuffer(bytes: piece))
            while true {
                let frame: MediaFrame?
                do { frame = try reader.nextFrame() } catch { return }
                guard let frame else { break }
                switch frame.kind {
                case .video: MediaFuzzing.video(frame.payload)
                case .audio: MediaFuzzing.audio(frame.payload)
                case .scriptData: break
                }
            }
        }
    }
}
