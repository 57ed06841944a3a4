/// Why an edit list cannot be exported, or why an export stopped. Items are numbered from 0.
public enum ExportError: Error, Hashable, Sendable, CustomStringConvertible {
    case emptyEditList
    case invalidOutputName(String, reason: String)
    case unknownSource(item: Int, name: String)
    case endNotAfterStart(item: Int)
    case negativeStart(item: Int)
    /// A wall-clock time was given for a source without a wall clock (a clip), or outside it.
    case wallClockNotUsable(item: Int)
    /// The out-point lies beyond the end of a finished recording or clip.
    case beyondEnd(item: Int, end: Double, duration: Double)
    /// The out-point lies beyond what a live recording holds yet: wait and plan again.
    case notYetAvailable(item: Int, end: Double, available: Double)
    /// The source has neither H.264 video nor AAC audio in the range.
    case noMedia(item: Int)
    case unsupportedCodec(item: Int, String)
    /// A source returned a payload whose size differs from what its sample said.
    case payloadSizeMismatch(item: Int, expected: UInt32, actual: Int)
    case cancelled
    case sourceFailed(String)

    public var description: String {
        switch self {
        case .emptyEditList: return "the edit list has no items"
        case let .invalidOutputName(name, reason): return "invalid output name '\(name)': \(reason)"
        case let .unknownSource(item, name): return "item \(item): unknown source '\(name)'"
        case let .endNotAfterStart(item): return "item \(item): end is not after start"
        case let .negativeStart(item): return "item \(item): start is negative"
        case let .wallClockNotUsable(item): return "item \(item): wall-clock time not usable for this source"
        case let .beyondEnd(item, end, duration): return "item \(item): end \(end) s is beyond the source's duration \(duration) s"
        case let .notYetAvailable(item, end, available):
            return "item \(item): end \(end) s is not recorded yet (\(available) s available)"
        case let .noMedia(item): return "item \(item): no H.264 or AAC media in range"
        case let .unsupportedCodec(item, codec): return "item \(item): unsupported codec \(codec)"
        case let .payloadSizeMismatch(item, expected, actual): return "item \(item): sample of \(expected) bytes read as \(actual)"
        case .cancelled: return "cancelled"
        case let .sourceFailed(reason): return "source failed: \(reason)"
        }
    }
}
