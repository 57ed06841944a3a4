import FLV
import HighlightExport
import ISOBMFF
import NIOCore

/// Live fragmented MP4 (CMAF) from the relay's FLV frames: the primary video track (H.264,
/// and the E-RTMP codecs HEVC, AV1, VP9) and the primary audio track (AAC, Opus). Sample entries
/// come from `SampleDescription(sequenceHeader:)`, the one place that reads codec
/// configurations; other tracks of a multitrack stream are left out.
///
/// Each sample is held until the next one of its track arrives (its duration is the difference
/// of decode times, so `tfdt` + durations never drift from the source clock). Parts are cut before
/// they would exceed `partTarget` and at every keyframe; a keyframe also ends the segment once it
/// is `segmentTarget` long. A change of codec parameters (a new sequence header) cuts there and
/// emits a new initialization segment (a new `generation`: an `EXT-X-DISCONTINUITY` in HLS).
public struct FMP4Muxer: LiveMuxer, Sendable {
    /// Part and segment targets, in seconds.
    public struct Configuration: Sendable, Equatable {
        public var partTarget: Double
        public var segmentTarget: Double

        public init(partTarget: Double = 0.5, segmentTarget: Double = 1.0) {
            self.partTarget = partTarget
            self.segmentTarget = segmentTarget
        }
    }

    /// What a frame completed.
    public enum Output: Sendable {
        /// `ftyp` + `moov` for the parts of `generation` that follow.
        case initialization(ByteBuffer, generation: Int)
        case part(FMP4Part)
    }

    static let videoTimescale: UInt32 = 90_000
    /// Audio-only streams start after this much audio with no video sequence header.
    static let audioOnlyAfterMilliseconds: UInt64 = 1000

    public let configuration: Configuration
    private var videoDescription: SampleDescription?
    private var audioDescription: SampleDescription?
    /// Descriptions in the current initialization segment (nil before the first).
    private var activeVideo: SampleDescription?
    private var activeAudio: SampleDescription?
    private var started = false
    private var configurationChanged = false
    public private(set) var generation = 0
    private var sequenceNumber: UInt32 = 0
    // Extended millisecond clock (RTMP timestamps are 32-bit and wrap).
    private var lastRaw: UInt32?
    private var extended: UInt64 = 0
    private var firstAudioTime: UInt64?
    private var heldVideo: FMP4Sample?
    private var heldAudio: FMP4Sample?
    private var videoSamples: [FMP4Sample] = []
    private var audioSamples: [FMP4Sample] = []
    /// Part start on the driving clock (milliseconds).
    private var partStart: UInt64 = 0
    private var segmentStart: UInt64 = 0

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    private var audioRate: UInt32 { activeAudio.map(Self.sampleRate) ?? 1000 }

    /// Samples in one audio frame, for the last frame's duration: AAC 1024, Opus 20 ms at 48 kHz.
    private var audioFrameSamples: UInt32 {
        if case .codec(let entry)? = activeAudio, entry.format == "Opus" { return 960 }
        return 1024
    }

    /// The audio track's timescale: its sample rate (Opus: always 48 kHz, RFC 7845).
    private static func sampleRate(of audio: SampleDescription) -> UInt32 {
        switch audio {
        case .aac(let entry) where entry.sampleRate > 0: return entry.sampleRate
        case .codec(let entry) where entry.format == "Opus": return 48_000
        case .codec(let entry) where entry.sampleRate > 0: return entry.sampleRate
        default: return 1000
        }
    }

    private static let videoCodecs: [FLVVideoTagHeader.Codec] = [.avc, .hevc, .av1, .vp9]

    private var hasVideoTrack: Bool { activeVideo != nil }

    /// The initialization segment of the current generation (nil before the first keyframe).
    public var initializationSegment: ByteBuffer? { started ? Self.initialization(video: activeVideo, audio: activeAudio) : nil }

    /// `ftyp` + `moov` (with `mvex`) for these tracks: video is track 1 when present.
    public static func initialization(video: SampleDescription?, audio: SampleDescription?) -> ByteBuffer {
        var tracks: [F4VTrack] = []
        if let video { tracks.append(F4VTrack(kind: .video, timescale: videoTimescale, sampleDescriptions: [video], samples: [])) }
        if let audio, audio.kind == .audio {
            tracks.append(F4VTrack(kind: .audio, timescale: sampleRate(of: audio), sampleDescriptions: [audio], samples: []))
        }
        let writer = F4VWriter(movieTimescale: 1000, majorBrand: "iso6", compatibleBrands: ["iso6", "cmfc", "isom", "mp41", "avc1", "dash"])
        return writer.initializationSegment(tracks: tracks)
    }

    private mutating func extend(_ raw: UInt32) -> UInt64 {
        // Steps are signed 32-bit differences: a wrap moves forward, audio slightly behind video back.
        if let lastRaw {
            let step = Int64(Int32(bitPattern: raw &- lastRaw))
            extended = UInt64(max(0, Int64(extended) + step))
        } else {
            extended = UInt64(raw)
        }
        lastRaw = raw
        return extended
    }

    public mutating func append(_ frame: MediaFrame) -> [Output] {
        // A multitrack message: its primary track, as a single-track message (nil: none in it).
        guard let frame = frame.isMultitrack ? frame.primaryTrackOnly : frame else { return [] }
        switch frame.kind {
        case .scriptData:
            return []
        case .video:
            guard let header = FLVVideoTagHeader(payload: frame.payload), Self.videoCodecs.contains(header.codec),
                  header.trackID == 0 else { return [] }
            if header.isSequenceHeader {
                let description = SampleDescription(sequenceHeader: frame)
                if let description, description != videoDescription {
                    videoDescription = description
                    if started { configurationChanged = true }
                }
                return []
            }
            guard header.packetType == .nalu, frame.payload.readableBytes > header.headerLength else { return [] }
            let time = extend(frame.timestamp)
            let sample = FMP4Sample(decodeTime: time * 90, duration: 0, compositionOffset: header.compositionTime * 90,
                                    isSync: header.isKeyframe, payload: frame.payload.getSlice(at: frame.payload.readerIndex + header.headerLength,
                                                                                              length: frame.payload.readableBytes - header.headerLength) ?? ByteBuffer())
            return appendVideo(sample, time: time)
        case .audio:
            guard let header = FLVAudioTagHeader(payload: frame.payload), header.isAAC || header.isOpus, header.trackID == 0 else { return [] }
            if header.isSequenceHeader {
                let description = SampleDescription(sequenceHeader: frame)
                if let description, description != audioDescription {
                    audioDescription = description
                    if started { configurationChanged = true }
                }
                return []
            }
            guard header.isCodedFrame, frame.payload.readableBytes > header.headerLength, audioDescription != nil else { return [] }
            let time = extend(frame.timestamp)
            let payload = frame.payload.getSlice(at: frame.payload.readerIndex + header.headerLength,
                                                 length: frame.payload.readableBytes - header.headerLength) ?? ByteBuffer()
            return appendAudio(payload: payload, time: time)
        }
    }

    private mutating func start(at time: UInt64) -> [Output] {
        started = true
        configurationChanged = false
        activeVideo = videoDescription
        activeAudio = audioDescription
        generation += 1
        partStart = time
        segmentStart = time
        heldVideo = nil
        heldAudio = nil
        videoSamples = []
        audioSamples = []
        return [.initialization(Self.initialization(video: activeVideo, audio: activeAudio), generation: generation)]
    }

    private mutating func appendVideo(_ incoming: FMP4Sample, time: UInt64) -> [Output] {
        var outputs: [Output] = []
        if !started || (configurationChanged && incoming.isSync) {
            guard incoming.isSync, videoDescription != nil else { return [] }
            if started { outputs += cut(at: time, endsSegment: true, flushing: true) }
            outputs += start(at: time)
            heldVideo = incoming
            return outputs
        }
        guard hasVideoTrack else { return [] }
        if var held = heldVideo {
            held.duration = UInt32(clamping: incoming.decodeTime &- held.decodeTime)
            if incoming.decodeTime < held.decodeTime { held.duration = 0 }
            videoSamples.append(held)
        }
        heldVideo = incoming
        let lastDuration = UInt64(videoSamples.last?.duration ?? 0)
        let partMilliseconds = (videoSamples.reduce(UInt64(0)) { $0 + UInt64($1.duration) } + lastDuration) / 90
        if incoming.isSync {
            let segmentLength = Double(time &- segmentStart) / 1000
            outputs += cut(at: time, endsSegment: segmentLength >= configuration.segmentTarget - 0.001, flushing: false)
        } else if Double(partMilliseconds) / 1000 > configuration.partTarget {
            outputs += cut(at: time, endsSegment: false, flushing: false)
        }
        return outputs
    }

    private mutating func appendAudio(payload: ByteBuffer, time: UInt64) -> [Output] {
        var outputs: [Output] = []
        if !started {
            if videoDescription != nil { return [] }
            firstAudioTime = firstAudioTime ?? time
            guard let first = firstAudioTime, time &- first >= Self.audioOnlyAfterMilliseconds else { return [] }
            outputs += start(at: time)
        } else if configurationChanged, !hasVideoTrack {
            outputs += cut(at: time, endsSegment: true, flushing: true)
            outputs += start(at: time)
        }
        guard activeAudio != nil else { return outputs }
        let decodeTime = time * UInt64(audioRate) / 1000
        let sample = FMP4Sample(decodeTime: decodeTime, duration: 0, isSync: true, payload: payload)
        if var held = heldAudio {
            held.duration = decodeTime > held.decodeTime ? UInt32(clamping: decodeTime - held.decodeTime) : 0
            audioSamples.append(held)
        }
        heldAudio = sample
        if !hasVideoTrack {
            let partMilliseconds = audioSamples.reduce(UInt64(0)) { $0 + UInt64($1.duration) } * 1000 / UInt64(audioRate)
            let lastMilliseconds = UInt64(audioSamples.last?.duration ?? 0) * 1000 / UInt64(audioRate)
            if Double(partMilliseconds + lastMilliseconds) / 1000 > configuration.partTarget {
                let segmentLength = Double(time &- segmentStart) / 1000
                outputs += cut(at: time, endsSegment: segmentLength >= configuration.segmentTarget - 0.001, flushing: false)
            }
        }
        return outputs
    }

    /// Emits the samples before `time` (milliseconds) as one part. `flushing` also takes the held samples.
    private mutating func cut(at time: UInt64, endsSegment: Bool, flushing: Bool) -> [Output] {
        if flushing {
            if var held = heldVideo {
                held.duration = videoSamples.last?.duration ?? 3000
                if time * 90 > held.decodeTime { held.duration = UInt32(clamping: time * 90 - held.decodeTime) }
                videoSamples.append(held)
                heldVideo = nil
            }
            if var held = heldAudio {
                held.duration = audioSamples.last?.duration ?? audioFrameSamples
                audioSamples.append(held)
                heldAudio = nil
            }
        }
        let audioCut = time * UInt64(audioRate) / 1000
        let audioCount = flushing ? audioSamples.count : (audioSamples.firstIndex { $0.decodeTime >= audioCut } ?? audioSamples.count)
        let audio = Array(audioSamples.prefix(audioCount))
        let video = videoSamples
        guard !video.isEmpty || !audio.isEmpty else { return [] }
        audioSamples.removeFirst(audioCount)
        videoSamples = []
        sequenceNumber &+= 1
        var runs: [FMP4TrackRun] = []
        if hasVideoTrack { runs.append(FMP4TrackRun(trackID: 1, samples: video)) }
        if activeAudio != nil { runs.append(FMP4TrackRun(trackID: hasVideoTrack ? 2 : 1, samples: audio)) }
        let independent = hasVideoTrack ? (video.first?.isSync ?? false) : true
        let end = max(time, partStart)
        let part = FMP4Part(bytes: FMP4FragmentWriter.fragment(sequenceNumber: sequenceNumber, runs: runs),
                            duration: Double(end - partStart) / 1000, startTime: Double(partStart) / 1000,
                            isIndependent: independent, endsSegment: endsSegment, generation: generation)
        partStart = end
        if endsSegment { segmentStart = end }
        return [.part(part)]
    }

    public mutating func flush() -> [Output] {
        flush(endingAt: nil)
    }

    /// Ends the stream at `time` milliseconds (the start of what follows, when known: held
    /// samples then last until it), else one sample duration after the last sample.
    public mutating func flush(endingAt time: UInt64?) -> [Output] {
        guard started else { return [] }
        let end = time ?? max(partStart, (heldVideo?.decodeTime ?? 0) / 90 + 40, lastAudioEnd)
        return cut(at: max(end, partStart), endsSegment: true, flushing: true)
    }

    private var lastAudioEnd: UInt64 {
        guard let held = heldAudio else { return 0 }
        return (held.decodeTime + UInt64(audioFrameSamples)) * 1000 / UInt64(audioRate)
    }
}
