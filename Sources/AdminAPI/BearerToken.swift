import Foundation

/// The API token and its constant-time check of `Authorization: Bearer <token>`.
public struct BearerToken: Sendable {
    private let token: [UInt8]

    /// nil for an empty token (after trimming whitespace and newlines, as read from a file).
    public init?(_ token: String) {
        let trimmed = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        self.token = Array(trimmed.utf8)
    }

    /// True when `header` is `Bearer <token>`; the comparison time does not depend on where the
    /// bytes differ.
    public func accepts(authorizationHeader header: String?) -> Bool {
        guard let header else { return false }
        let prefix = Array("bearer ".utf8)
        let bytes = Array(header.utf8)
        guard bytes.count > prefix.count,
              bytes[0..<prefix.count].map({ $0 | 0x20 }) == prefix else { return false }
        let presented = bytes[prefix.count...]
        var difference = UInt8(truncatingIfNeeded: presented.count ^ token.count)
        for index in 0..<token.count {
            let other = index < presented.count ? presented[presented.startIndex + index] : 0
            difference |= token[index] ^ other
        }
        return difference == 0
    }
}
