import FLV
import ISOBMFF
import NIOCore

/// An on-demand FLV clip (H.264 + AAC) as an export source. The constructor indexes the file by
/// reading only tag headers (and the sequence headers in full) through the caller's byte reader;
/// payloads are read when exported. Times are milliseconds from the first media tag.
public struct FLVClipSource<Reader: RandomAccessByteReader>: ExportSampleSource {
    public let reader: Reader
    public let tracks: [ExportTrack]
    public let availableDuration: Double
    private let trackSamples: [[ExportSample]]

    /// Why an FLV clip could not be indexed.
    public enum IndexError: Error, Equatable, Sendable {
        case notFLV
        case tooManyTags
        case badSequenceHeader(String)
    }

    public init(reader: Reader, maximumTags: Int = 5_000_000) throws {
        self.reader = reader
        let size = reader.size
        guard size >= 13 else { throw IndexError.notFLV }
        let header = Array(try reader.read(at: 0, count: 9).readableBytesView)
        guard header.starts(with: [0x46, 0x4C, 0x56]) else { throw IndexError.notFLV }
        var offset = UInt64(header[5]) << 24 | UInt64(header[6]) << 16 | UInt64(header[7]) << 8 | UInt64(header[8])
        offset += 4

        var video = (descriptions: [SampleDescription](), samples: [ExportSample]())
        var audio = (descriptions: [SampleDescription](), samples: [ExportSample]())
        var tagCount = 0
        var baseTime: Int64?
        while offset + 11 + 5 <= size || offset + 11 + 2 <= size {
            tagCount += 1
            guard tagCount <= maximumTags else { throw IndexError.tooManyTags }
            let peek = Array(try reader.read(at: offset, count: Int(min(16, size - offset))).readableBytesView)
            let type = peek[0] & 0x1F
            let dataSize = UInt64(peek[1]) << 16 | UInt64(peek[2]) << 8 | UInt64(peek[3])
            let timestamp = Int64(UInt32(peek[7]) << 24 | UInt32(peek[4]) << 16 | UInt32(peek[5]) << 8 | UInt32(peek[6]))
            let bodyOffset = offset + 11
            guard bodyOffset + dataSize <= size else { break }  // a truncated last tag
            defer { offset = bodyOffset + dataSize + 4 }
            let body = Array(peek.dropFirst(11))
            if type == MediaFrame.Kind.video.rawValue, dataSize >= 5, body.count >= 5, body[0] & 0x0F == 7 {
                let cts = Int32(bitPattern: (UInt32(body[2]) << 16 | UInt32(body[3]) << 8 | UInt32(body[4])) << 8) >> 8
                if body[1] == 0 {
                    let record = Array(try reader.read(at: bodyOffset + 5, count: Int(dataSize) - 5).readableBytesView)
                    video.descriptions.append(try Self.videoDescription(record))
                } else if body[1] == 1, dataSize > 5, !video.descriptions.isEmpty {
                    let time = timestamp - (baseTime ?? timestamp)
                    baseTime = baseTime ?? timestamp
                    video.samples.append(ExportSample(decodeTime: time, compositionOffset: cts, duration: 0,
                                                      size: UInt32(dataSize - 5), isSync: body[0] >> 4 == 1,
                                                      descriptionIndex: video.descriptions.count - 1, location: bodyOffset + 5))
                }
            } else if type == MediaFrame.Kind.audio.rawValue, dataSize >= 2, body.count >= 2, body[0] >> 4 == 10 {
                if body[1] == 0 {
                    let config = Array(try reader.read(at: bodyOffset + 2, count: Int(dataSize) - 2).readableBytesView)
                    audio.descriptions.append(try Self.audioDescription(config))
                } else if dataSize > 2, !audio.descriptions.isEmpty {
                    let time = timestamp - (baseTime ?? timestamp)
                    baseTime = baseTime ?? timestamp
                    audio.samples.append(ExportSample(decodeTime: time, duration: 0, size: UInt32(dataSize - 2), isSync: true,
                                                      descriptionIndex: audio.descriptions.count - 1, location: bodyOffset + 2))
                }
            }
        }
        var tracks: [ExportTrack] = []
        var samples: [[ExportSample]] = []
        var end: Int64 = 0
        for (kind, track) in [(TrackKind.video, video), (.audio, audio)] where !track.samples.isEmpty {
            // FLV stores no durations: each lasts until the next; the last repeats its predecessor's.
            var list = track.samples.sorted { $0.decodeTime < $1.decodeTime }
            for index in list.indices {
                let next = index + 1 < list.count ? list[index + 1].decodeTime : nil
                let previous = index > 0 ? list[index].decodeTime - list[index - 1].decodeTime : 40
                list[index].duration = UInt32(clamping: max(0, next.map { $0 - list[index].decodeTime } ?? previous))
            }
            end = max(end, (list.last.map { $0.decodeTime + Int64($0.duration) }) ?? 0)
            tracks.append(ExportTrack(kind: kind, timescale: 1000, sampleDescriptions: track.descriptions))
            samples.append(list)
        }
        self.tracks = tracks
        self.trackSamples = samples
        self.availableDuration = Double(end) / 1000
    }

    static func videoDescription(_ record: [UInt8]) throws -> SampleDescription {
        do { return try .avc(sequenceHeader: record) } catch { throw IndexError.badSequenceHeader("AVC: \(error)") }
    }

    static func audioDescription(_ config: [UInt8]) throws -> SampleDescription {
        do { return try .aac(sequenceHeader: config) } catch { throw IndexError.badSequenceHeader("AAC: \(error)") }
    }

    public var isLive: Bool { false }

    public func samples(track: Int, from start: Int64, to end: Int64) throws -> [ExportSample] {
        guard trackSamples.indices.contains(track) else { return [] }
        return trackSamples[track].exportRange(from: start, to: end)
    }

    public func payload(track: Int, sample: ExportSample) throws -> ByteBuffer {
        try reader.read(at: sample.location, count: Int(sample.size))
    }
}
