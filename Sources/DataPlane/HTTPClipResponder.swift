import Foundation
import HighlightExport
import HTTPMedia
import NIOCore

/// On-demand clips (`<media>/sources`, MP4/F4V or FLV) as HLS, so a browser previews every kind
/// of source: a `VOD` playlist cut at keyframes, segments remuxed on demand through the same
/// fMP4 muxer as live. Blocking file reads: call it from a thread pool.
struct HTTPClipResponder: Sendable {
    let library: VODLibrary

    private func open(_ name: String) throws -> (any ExportSampleSource)? {
        guard let vodName = try VODName("sources/" + name) else { return nil }
        return try library.open(vodName)
    }

    func playlist(name: String) throws -> String? {
        guard let source = try open(name) else { return nil }
        let shift = try VODReader.shift(of: source)
        let end = UInt64(max(0, Int64((source.availableDuration * 1000).rounded(.up)) + shift))
        var keyframes: [UInt64] = [0]
        if let video = source.tracks.firstIndex(where: { $0.kind == .video }) {
            let scale = Int64(max(1, source.tracks[video].timescale))
            keyframes = try source.samples(track: video, from: 0, to: .max).filter(\.isSync)
                .map { UInt64(max(0, $0.decodeTime * 1000 / scale + shift)) }
        }
        return DVRPlaylist(keyframes: keyframes, end: end).render()
    }

    func initialization(name: String) throws -> ByteBuffer? {
        guard let source = try open(name) else { return nil }
        var reader = try VODReader(source: source, start: 0)
        var muxer = FMP4Muxer()
        for _ in 0..<20 {
            let frames = try reader.read(window: 1000)
            for frame in frames {
                for case .initialization(let bytes, _) in muxer.append(frame) { return bytes }
            }
            if reader.isFinished { break }
        }
        return nil
    }

    func segment(name: String, start: UInt64, end: UInt64) throws -> ByteBuffer? {
        guard end - start <= HTTPDVRResponder.longestSegment, let source = try open(name) else { return nil }
        var reader = try VODReader(source: source, start: Int64(start))
        var muxer = FMP4Muxer(configuration: .init(partTarget: 3600, segmentTarget: 3600))
        var out = ByteBuffer()
        func take(_ outputs: [FMP4Muxer.Output]) {
            for case .part(var part) in outputs { out.writeBuffer(&part.bytes) }
        }
        reading: while !reader.isFinished {
            for frame in try reader.read(window: 1000) {
                let time = UInt64(frame.timestamp)
                if frame.kind != .scriptData, time >= end {
                    if time >= end + 1000 { break reading }
                    continue
                }
                take(muxer.append(frame))
            }
        }
        take(muxer.flush(endingAt: end))
        return out.readableBytes > 0 ? out : nil
    }
}
