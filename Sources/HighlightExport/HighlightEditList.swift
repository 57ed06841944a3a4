/// Validation of an edit list and resolution of its items to sources and times in seconds.
public enum HighlightEditList {
    /// An item resolved against its source: in- and out-points in seconds from the source start.
    public struct ResolvedItem {
        public var source: any ExportSampleSource
        public var start: Double
        public var end: Double

        public init(source: any ExportSampleSource, start: Double, end: Double) {
            self.source = source
            self.start = start
            self.end = end
        }
    }

    /// Checks an output file name: a plain name (no `/`, no `..`, not hidden), ending in .f4v or .mp4.
    public static func validateOutputName(_ name: String) throws {
        if name.isEmpty { throw ExportError.invalidOutputName(name, reason: "empty") }
        if name.contains("/") || name.contains("\\") { throw ExportError.invalidOutputName(name, reason: "contains a path separator") }
        if name.contains("..") { throw ExportError.invalidOutputName(name, reason: "contains '..'") }
        if name.hasPrefix(".") { throw ExportError.invalidOutputName(name, reason: "starts with '.'") }
        if name.utf8.count > 200 { throw ExportError.invalidOutputName(name, reason: "longer than 200 bytes") }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw ExportError.invalidOutputName(name, reason: "contains control characters")
        }
        let lower = name.lowercased()
        guard lower.hasSuffix(".f4v") || lower.hasSuffix(".mp4") else {
            throw ExportError.invalidOutputName(name, reason: "must end in .f4v or .mp4")
        }
    }

    /// Resolves `items` with `lookup` (nil for an unknown source). With `allowWaiting`, an
    /// out-point beyond the recorded part of a live source is accepted (the job waits for it);
    /// otherwise it throws `notYetAvailable`.
    public static func resolve(_ items: [HighlightItem], allowWaiting: Bool = false,
                               lookup: (HighlightItem) throws -> (any ExportSampleSource)?) throws -> [ResolvedItem] {
        guard !items.isEmpty else { throw ExportError.emptyEditList }
        return try items.enumerated().map { index, item in
            guard let source = try lookup(item) else { throw ExportError.unknownSource(item: index, name: item.name) }
            let start = try seconds(item.start, source: source, item: index)
            let end = try seconds(item.end, source: source, item: index)
            guard start.isFinite, end.isFinite else { throw ExportError.endNotAfterStart(item: index) }
            guard start >= 0 else { throw ExportError.negativeStart(item: index) }
            guard end > start else { throw ExportError.endNotAfterStart(item: index) }
            let available = source.availableDuration
            if end > available {
                if !source.isLive { throw ExportError.beyondEnd(item: index, end: end, duration: available) }
                if !allowWaiting { throw ExportError.notYetAvailable(item: index, end: end, available: available) }
            }
            return ResolvedItem(source: source, start: start, end: end)
        }
    }

    private static func seconds(_ time: HighlightItem.Time, source: any ExportSampleSource, item: Int) throws -> Double {
        switch time {
        case let .seconds(value): return value
        case let .wallClock(date):
            guard let value = source.streamTime(atWallClock: date) else { throw ExportError.wallClockNotUsable(item: item) }
            return value
        }
    }
}
