import Foundation
import HighlightExport
import ISOBMFF
import NIOCore

/// An in-memory source: 25 fps video (timescale 1000, keyframe every `gop` frames) and
/// 48 kHz AAC frames; each payload's bytes are derived from its location.
struct SyntheticSource: ExportSampleSource {
    var seconds: Double = 4
    var gop = 10
    var video: SampleDescription = .avc(AVCSampleEntry(width: 320, height: 240, decoderConfiguration: [1, 0x42, 0xC0, 0x1E, 0xFF, 0xE0, 0]))
    var audio: SampleDescription? = .aac(AACSampleEntry(sampleRate: 48000, channelCount: 2, audioSpecificConfig: [0x11, 0x90]))
    var live = false
    /// Added to every location so that two sources' payloads differ.
    var tag: UInt64 = 0
    /// x264-style B-frames: each GOP (10 frames) is decoded I P B B P B B P B B (closed GOP), frame
    /// `n` is shown at (n + 1) × 40 ms, and a video sample's location is `tag` + its frame number.
    var bFrames = false

    /// The frame shown `decodeIndex`-th in decode order (B-frame layout).
    static func frameNumber(decodeIndex k: Int, gop: Int) -> Int {
        let relative = k % gop
        guard relative > 0 else { return k }
        let group = (relative - 1) / 3
        return k - relative + [3 * group + 3, 3 * group + 1, 3 * group + 2][(relative - 1) % 3]
    }

    var tracks: [ExportTrack] {
        var result = [ExportTrack(kind: .video, timescale: 1000, sampleDescriptions: [video])]
        if let audio { result.append(ExportTrack(kind: .audio, timescale: 48000, sampleDescriptions: [audio])) }
        return result
    }

    var availableDuration: Double { seconds }
    var isLive: Bool { live }

    func allSamples(track: Int) -> [ExportSample] {
        if track == 0, bFrames {
            return (0..<Int(seconds * 25)).map { index in
                let frame = Self.frameNumber(decodeIndex: index, gop: gop)
                return ExportSample(decodeTime: Int64(index * 40), compositionOffset: Int32((frame + 1 - index) * 40), duration: 40,
                                    size: UInt32(50 + index % 7), isSync: index % gop == 0, location: tag + UInt64(frame))
            }
        }
        if track == 0 {
            return (0..<Int(seconds * 25)).map { index in
                ExportSample(decodeTime: Int64(index * 40), duration: 40, size: UInt32(50 + index % 7), isSync: index % gop == 0,
                             location: tag + UInt64(index))
            }
        }
        let count = Int(seconds * 48000 / 1024)
        let base: UInt64 = tag + 1_000_000
        return (0..<count).map { (index: Int) -> ExportSample in
            let size = UInt32(10 + index % 3)
            return ExportSample(decodeTime: Int64(index * 1024), duration: 1024, size: size, isSync: true,
                                location: base + UInt64(index))
        }
    }

    func samples(track: Int, from start: Int64, to end: Int64) throws -> [ExportSample] {
        let all = allSamples(track: track)
        guard var first = all.lastIndex(where: { $0.decodeTime <= start }) else { return all.filter { $0.decodeTime < end } }
        while first > 0, !all[first].isSync { first -= 1 }
        return Array(all[first...].prefix { $0.decodeTime < end })
    }

    func payload(track: Int, sample: ExportSample) throws -> ByteBuffer {
        ByteBuffer(repeating: UInt8(truncatingIfNeeded: sample.location), count: Int(sample.size))
    }

    func streamTime(atWallClock date: Date) -> Double? {
        live ? date.timeIntervalSince(Date(timeIntervalSince1970: 1_700_000_000)) : nil
    }
}

/// Collects the exported bytes in memory.
struct MemorySink: ExportByteSink {
    var buffer = ByteBuffer()
    mutating func write(_ bytes: ByteBuffer) throws {
        var bytes = bytes
        buffer.writeBuffer(&bytes)
    }
}
