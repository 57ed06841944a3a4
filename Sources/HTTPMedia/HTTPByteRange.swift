/// A `Range: bytes=…` request header against a file of known size (RFC 9110 14.1.2, 14.2).
/// One range is served; several (a multipart answer) get the whole file, which the RFC allows.
public enum HTTPByteRange: Equatable, Sendable {
    /// No usable Range header: 200 with the whole file.
    case whole
    /// 206 with these bytes (inclusive bounds).
    case partial(ClosedRange<UInt64>)
    /// 416: the range lies past the end.
    case unsatisfiable

    public init(header: String?, size: UInt64) {
        guard let header = header?.trimmedSpaces(), header.hasPrefix("bytes=") else { self = .whole; return }
        let spec = header.dropFirst("bytes=".count)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { self = .whole; return }
        let first = spec[..<dash].trimmedSpaces()
        let last = spec[spec.index(after: dash)...].trimmedSpaces()
        guard first.allSatisfy(\.isASCIIDigit), last.allSatisfy(\.isASCIIDigit), first.count <= 19, last.count <= 19 else {
            self = .whole
            return
        }
        if first.isEmpty {
            // Suffix range: the last N bytes.
            guard let count = UInt64(last), count > 0 else { self = last.isEmpty ? .whole : .unsatisfiable; return }
            guard size > 0 else { self = .unsatisfiable; return }
            self = .partial((size - min(count, size))...(size - 1))
            return
        }
        guard let start = UInt64(first) else { self = .whole; return }
        guard start < size else { self = .unsatisfiable; return }
        let end = last.isEmpty ? size - 1 : min(UInt64(last) ?? size - 1, size - 1)
        guard end >= start else { self = .whole; return }
        self = .partial(start...end)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    fileprivate func trimmedSpaces() -> String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}

extension Substring {
    fileprivate func trimmedSpaces() -> String { String(self).trimmedSpaces() }
}
