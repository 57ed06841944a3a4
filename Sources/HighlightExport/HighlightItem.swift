import Foundation

/// One item of a highlight edit list: a range of a DVR recording or of an on-demand clip.
public struct HighlightItem: Hashable, Sendable, Codable {
    /// Where the item comes from.
    public enum Source: String, Hashable, Sendable, Codable {
        case dvr
        case clip
    }

    /// An in- or out-point: seconds from the start of the source, or (DVR only) a wall-clock time.
    public enum Time: Hashable, Sendable, Codable {
        case seconds(Double)
        case wallClock(Date)

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let seconds = try? container.decode(Double.self) {
                self = .seconds(seconds)
                return
            }
            let text = try container.decode(String.self)
            guard let date = Self.parseRFC3339(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not seconds or an RFC 3339 time: \(text)")
            }
            self = .wallClock(date)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case let .seconds(value): try container.encode(value)
            case let .wallClock(date): try container.encode(Self.formatRFC3339(date))
            }
        }

        /// Parses an RFC 3339 date-time with or without fractional seconds.
        public static func parseRFC3339(_ text: String) -> Date? {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = formatter.date(from: text) { return date }
            formatter.formatOptions = [.withInternetDateTime]
            return formatter.date(from: text)
        }

        static func formatRFC3339(_ date: Date) -> String {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return formatter.string(from: date)
        }
    }

    public var source: Source
    /// The DVR stream name or the clip file name (relative to `sources/`).
    public var name: String
    public var start: Time
    public var end: Time

    public init(source: Source, name: String, start: Time, end: Time) {
        self.source = source
        self.name = name
        self.start = start
        self.end = end
    }
}
