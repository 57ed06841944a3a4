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
    public init(stream: String, startedAt: Date, duration: Double, availableFrom: Double, live: Bool, size: UInt64) {
        self.stream = stream; self.startedAt = startedAt; self.duration = duration
        self.availableFrom = availableFrom; self.live = live; self.size = size
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
