import FLV
import NIOCore

/// Small FLV frames for muxer tests: an AVC/AAC sequence header pair, key and inter frames.
enum MediaFrames {
    static let sps: [UInt8] = [0x67, 0x42, 0xC0, 0x1E, 0xD9, 0x00, 0xA0, 0x47, 0xFE, 0xC8]
    static let pps: [UInt8] = [0x68, 0xCE, 0x3C, 0x80]

    static func videoHeader(at time: UInt32 = 0, sps: [UInt8] = sps) -> MediaFrame {
        let record = AVCDecoderConfigurationRecord(profile: 0x42, profileCompatibility: 0xC0, level: 0x1E,
                                                   sequenceParameterSets: [sps], pictureParameterSets: [pps])
        return MediaFrame(kind: .video, timestamp: time, payload: ByteBuffer(bytes: [0x17, 0, 0, 0, 0] + record.bytes))
    }

    static func audioHeader(at time: UInt32 = 0) -> MediaFrame {
        MediaFrame(kind: .audio, timestamp: time, payload: ByteBuffer(bytes: [0xAF, 0, 0x12, 0x10]))  // AAC LC 44.1 kHz stereo
    }

    static func video(at time: UInt32, key: Bool, size: Int = 100, cts: UInt8 = 0) -> MediaFrame {
        let nal: [UInt8] = [0, 0, 0, UInt8(size - 4)] + [UInt8](repeating: key ? 0x65 : 0x41, count: size - 4)
        return MediaFrame(kind: .video, timestamp: time, payload: ByteBuffer(bytes: [key ? 0x17 : 0x27, 1, 0, 0, cts] + nal))
    }

    static func audio(at time: UInt32, size: Int = 20) -> MediaFrame {
        MediaFrame(kind: .audio, timestamp: time, payload: ByteBuffer(bytes: [0xAF, 1] + [UInt8](repeating: 0x21, count: size)))
    }

    /// `seconds` of 25 fps video with a keyframe every `gop` frames, and AAC frames (1024 samples at 44.1 kHz) interleaved.
    static func stream(seconds: Double, gop: Int = 25, from start: UInt32 = 0) -> [MediaFrame] {
        var frames = [videoHeader(at: start), audioHeader(at: start)]
        var audioTime = 0.0
        let count = Int(seconds * 25)
        for index in 0..<count {
            let time = UInt32(index * 40)
            while audioTime <= Double(time) {
                frames.append(audio(at: start &+ UInt32(audioTime)))
                audioTime += 1024.0 / 44.1
            }
            frames.append(video(at: start &+ time, key: index % gop == 0))
        }
        return frames
    }
}

/// A minimal ISO BMFF box walker for assertions.
struct Boxes {
    struct Box {
        var type: String
        var start: Int
        var size: Int
        var payload: ByteBuffer
    }

    static func top(_ buffer: ByteBuffer) -> [Box] {
        var boxes: [Box] = []
        var reader = buffer
        while reader.readableBytes >= 8 {
            let start = reader.readerIndex - buffer.readerIndex
            let size = Int(reader.getInteger(at: reader.readerIndex, as: UInt32.self)!)
            let type = String(decoding: reader.getBytes(at: reader.readerIndex + 4, length: 4)!, as: UTF8.self)
            guard size >= 8, size <= reader.readableBytes else { break }
            boxes.append(Box(type: type, start: start, size: size, payload: reader.getSlice(at: reader.readerIndex + 8, length: size - 8)!))
            reader.moveReaderIndex(forwardBy: size)
        }
        return boxes
    }

    /// The first box found by a path of types, e.g. ["moov", "mvex", "trex"].
    static func find(_ path: [String], in buffer: ByteBuffer) -> Box? {
        var current = buffer
        var found: Box?
        for type in path {
            guard let box = top(current).first(where: { $0.type == type }) else { return nil }
            found = box
            // Container boxes whose children follow a header.
            let skip: Int
            switch type {
            case "stsd": skip = 8
            case "dref": skip = 8
            default: skip = 0
            }
            current = box.payload.getSlice(at: box.payload.readerIndex + skip, length: box.payload.readableBytes - skip)!
        }
        return found
    }
}
