import ControlProtocol
import Foundation

/// What the DVR routes need from the control plane: the recordings on disk and the data plane's
/// start/stop recording commands. Registered with `APIEnvironment.register(_:as:)`.
public protocol DVRProvider: Sendable {
    /// All recordings under `<media>/dvr/`, by stream name.
    func recordings() -> [DVRRecordingDTO]
    /// Sends `startRecording`/`stopRecording`; nil when the data plane did not answer.
    func setRecording(stream: String, on: Bool) -> CommandOutcome?
}

/// One recording in `GET /api/v1/dvr`.
public struct DVRRecordingDTO: Codable, Sendable, Equatable {
    public var stream: String
    /// Wall-clock time of recording time 0 (RFC 3339): DVR export items may use wall-clock times.
    public var startedAt: Date
    /// Seconds recorded so far (recording time of the last frame).
    public var duration: Double
    /// Seconds from the start of the oldest media still on disk (after retention).
    public var availableFrom: Double
    /// True while the data plane is writing it.
    public var live: Bool
    /// Bytes of media on disk.
    public var size: UInt64
    /// The data plane's DVR state while the stream is published and recorded: "recording", or
    /// "degraded: <why>" (disk full or too slow: relaying continues, recording retries); absent
    /// otherwise.
    public var state: String?
    public init(stream: String, startedAt: Date, duration: Double, availableFrom: Double, live: Bool, size: UInt64, state: String? = nil) {
        self.stream = stream; self.startedAt = startedAt; self.duration = duration
        self.availableFrom = availableFrom; self.live = live; self.size = size; self.state = state
    }
}

/// `GET /api/v1/dvr`.
public struct DVRListResponse: Codable, Sendable, Equatable {
    public var recordings: [DVRRecordingDTO]
}

/// `POST /api/v1/dvr/{stream}/start|stop`.
public struct DVRCommandResponse: Codable, Sendable, Equatable {
    public var stream: String
    public var recording: Bool
    public var message: String?
}

/// What the media listing routes need: the clips in `<media>/sources/` and the exported files in
/// `<media>/exports/`. Registered with `APIEnvironment.register(_:as:)`.
public protocol MediaLibraryProvider: Sendable {
    func sources() -> [MediaFileDTO]
    func outputs() -> [MediaFileDTO]
}

/// One media file in `GET /api/v1/sources` and `GET /api/v1/outputs`.
public struct MediaFileDTO: Codable, Sendable, Equatable {
    public var name: String
    /// "mp4" (also F4V) or "flv".
    public var format: String
    public var duration: Double?
    /// E.g. ["h264", "aac"].
    public var codecs: [String]
    public var width: Int?
    public var height: Int?
    public var size: UInt64
    /// Why the file could not be read, when it could not.
    public var error: String?
    public init(name: String, format: String, duration: Double?, codecs: [String], width: Int?, height: Int?, size: UInt64, error: String? = nil) {
        self.name = name; self.format = format; self.duration = duration; self.codecs = codecs
        self.width = width; self.height = height; self.size = size; self.error = error
    }
}

/// `GET /api/v1/sources` and `GET /api/v1/outputs`.
public struct MediaFileListResponse: Codable, Sendable, Equatable {
    public var files: [MediaFileDTO]
}
