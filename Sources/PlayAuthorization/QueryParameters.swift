/// The `name=value` pairs of a URL query (`a=1&b=2`), as RTMP clients put them after a stream
/// name or an app (`livestream?key=…`). No percent-decoding: keys, tokens and expiry times are
/// plain ASCII. A repeated name keeps its first value.
public struct QueryParameters: Sendable, Equatable {
    public private(set) var pairs: [(name: String, value: String)]

    public init(_ query: Substring) {
        pairs = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            if let equals = part.firstIndex(of: "=") {
                pairs.append((String(part[..<equals]), String(part[part.index(after: equals)...])))
            } else {
                pairs.append((String(part), ""))
            }
        }
    }

    public subscript(name: String) -> String? { pairs.first { $0.name == name }?.value }

    /// The part of `text` after its first `?`, nil when it has none.
    public static func query(of text: String) -> Substring? {
        guard let mark = text.firstIndex(of: "?") else { return nil }
        return text[text.index(after: mark)...]
    }

    public static func == (lhs: QueryParameters, rhs: QueryParameters) -> Bool {
        lhs.pairs.elementsEqual(rhs.pairs) { $0.name == $1.name && $0.value == $1.value }
    }
}
