import Foundation

/// The `recording.json` of a recording: written once when it is created, never changed.
/// `startedAt` is the wall-clock time of recording time 0, so RFC 3339 times map to
/// recording times (`time(at:)`).
public struct DVRRecordingInfo: Codable, Sendable, Equatable {
    public var version: Int
    public var stream: String
    /// Milliseconds since 1970 of recording time 0.
    public var startedAtMilliseconds: Int64

    public init(stream: String, startedAt: Date) {
        version = 1
        self.stream = stream
        startedAtMilliseconds = Int64((startedAt.timeIntervalSince1970 * 1000).rounded())
    }

    public var startedAt: Date { Date(timeIntervalSince1970: Double(startedAtMilliseconds) / 1000) }

    /// Recording time (ms) of a wall-clock instant, 0 for instants before the start.
    public func time(at date: Date) -> UInt64 {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded()) - startedAtMilliseconds
        return UInt64(max(0, milliseconds))
    }

    /// Wall-clock instant of a recording time.
    public func date(at time: UInt64) -> Date { Date(timeIntervalSince1970: Double(startedAtMilliseconds + Int64(time)) / 1000) }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    static func decode(_ data: Data) -> DVRRecordingInfo? {
        guard let info = try? JSONDecoder().decode(DVRRecordingInfo.self, from: data), info.version == 1 else { return nil }
        return info
    }
}
