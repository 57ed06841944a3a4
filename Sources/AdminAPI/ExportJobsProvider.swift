import Foundation

/// What the export routes need: the control plane's export job runner. Registered with
/// `APIEnvironment.register(_:as:)`.
public protocol ExportJobsProvider: Sendable {
    /// Validates an edit list (the raw `POST /api/v1/exports` body) and queues its job; a 400
    /// error with the reason when the list is invalid.
    func submit(_ body: [UInt8]) -> Result<ExportJobDTO, APIError>
    func jobs() -> [ExportJobDTO]
    func job(id: String) -> ExportJobDTO?
    /// Cancels a job (no-op when it has finished); nil when there is no such job.
    func cancel(id: String) -> ExportJobDTO?
}

/// One export job.
public struct ExportJobDTO: Codable, Sendable, Equatable {
    public var id: String
    public var output: String
    /// queued, waiting (for a live recording to reach an out-point), running, done, failed, cancelled.
    public var state: String
    /// Fraction of the media written, 0...1.
    public var progress: Double
    public var createdAt: Date
    public var finishedAt: Date?
    public var error: String?
    public var items: [ExportJobItemDTO]
    /// Seconds of the output (when done).
    public var duration: Double?
    /// Bytes of the output (when done).
    public var size: UInt64?
    public init(id: String, output: String, state: String, progress: Double, createdAt: Date, finishedAt: Date? = nil,
                error: String? = nil, items: [ExportJobItemDTO], duration: Double? = nil, size: UInt64? = nil) {
        self.id = id; self.output = output; self.state = state; self.progress = progress; self.createdAt = createdAt
        self.finishedAt = finishedAt; self.error = error; self.items = items; self.duration = duration; self.size = size
    }
}

/// One item of a job: what was asked and (when done) the frame-accurate in/out points used.
public struct ExportJobItemDTO: Codable, Sendable, Equatable {
    public var source: String
    public var name: String
    public var actualStart: Double?
    public var actualEnd: Double?
    public init(source: String, name: String, actualStart: Double? = nil, actualEnd: Double? = nil) {
        self.source = source; self.name = name; self.actualStart = actualStart; self.actualEnd = actualEnd
    }
}

/// `GET /api/v1/exports`.
public struct ExportJobListResponse: Codable, Sendable, Equatable {
    public var jobs: [ExportJobDTO]
}
