/// Why an ISO BMFF file could not be read or written.
public enum ISOBMFFError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A box header claims a size that is smaller than its header or runs past its parent.
    case invalidBoxSize(type: FourCC, offset: UInt64, size: UInt64)
    /// The data ended inside a box or table.
    case truncated(context: String)
    /// A required box is absent.
    case missingBox(FourCC, in: String)
    /// A box holds values that contradict each other or the limits we accept.
    case malformed(String)
    /// A structure is larger than the bounded memory we allow for it.
    case tooLarge(String)
    /// The underlying byte reader failed.
    case readFailed(String)

    public var description: String {
        switch self {
        case let .invalidBoxSize(type, offset, size): return "invalid size \(size) for box '\(type)' at offset \(offset)"
        case let .truncated(context): return "data ends inside \(context)"
        case let .missingBox(type, parent): return "missing box '\(type)' in \(parent)"
        case let .malformed(reason): return "malformed: \(reason)"
        case let .tooLarge(reason): return "too large: \(reason)"
        case let .readFailed(reason): return "read failed: \(reason)"
        }
    }
}
