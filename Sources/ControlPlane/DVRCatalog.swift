import AdminAPI
import ControlProtocol
import Foundation
import Recording

/// The control plane's `DVRProvider`: recordings read from `<media>/dvr/` (indexes only), and
/// start/stop sent to the data plane through `send` (the control link; nil when it is down).
public struct DVRCatalog: DVRProvider {
    public let store: DVRStore
    private let send: @Sendable (ControlCommand) -> CommandOutcome?
    private let clock: @Sendable () -> Date
    /// The data plane's recording state by stream (from its latest snapshot).
    private let states: @Sendable () -> [String: String]

    public init(mediaRoot: String, files: any DVRFileSystem = LocalDVRFileSystem(),
                clock: @escaping @Sendable () -> Date = { Date() },
                states: @escaping @Sendable () -> [String: String] = { [:] },
                send: @escaping @Sendable (ControlCommand) -> CommandOutcome?) {
        store = DVRStore(files: files, mediaRoot: mediaRoot)
        self.send = send
        self.clock = clock
        self.states = states
    }

    public func recordings() -> [DVRRecordingDTO] {
        let now = clock()
        let states = states()
        return store.recordings().map { recording in
            DVRRecordingDTO(stream: recording.stream, startedAt: recording.info.startedAt, duration: Double(recording.endTime) / 1000,
                            availableFrom: Double(recording.startTime) / 1000, live: recording.isLive(now: now), size: recording.bytes,
                            state: states[recording.stream])
        }
    }

    public func setRecording(stream: String, on: Bool) -> CommandOutcome? {
        send(on ? .startRecording(stream: stream) : .stopRecording(stream: stream))
    }
}
