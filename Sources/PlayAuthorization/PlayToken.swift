import RTMP

/// Signed play URLs: `?expires=<unix seconds>&token=<hex HMAC-SHA256(secret, "<app>/<stream>:<expires>")>`.
///
/// One pure signer/verifier shared by everything that mints or checks them (the relay's RTMP
/// `play`, HTTP delivery, `lsc-control`'s `POST /api/v1/play-urls`), so the string signed is
/// defined in exactly one place. `app` is the application name without instance or query
/// (`livestreamcast_edge`), `stream` the normalized stream name (`livestream`, no `?query`),
/// `expires` decimal seconds since the Unix epoch; the token is 64 lowercase hex digits.
public struct PlayTokenSigner: Sendable {
    private let secret: [UInt8]

    /// Why a play request was refused (or `valid`).
    public enum Verdict: Sendable, Equatable, CustomStringConvertible {
        case valid
        /// No `expires` or no `token` in the query.
        case missing
        /// `expires` is not a decimal number or `token` not 64 hex digits.
        case malformed
        case expired
        /// The token does not match (wrong secret, other stream or app, altered expiry).
        case forged

        public var description: String {
            switch self {
            case .valid: "valid"
            case .missing: "missing expires/token"
            case .malformed: "malformed expires/token"
            case .expired: "token expired"
            case .forged: "token does not match"
            }
        }
    }

    /// A signer for `secret` (its UTF-8 bytes are the HMAC key).
    public init(secret: String) {
        self.secret = Array(secret.utf8)
    }

    /// A signer for the contents of a secret file: surrounding whitespace and newlines are not
    /// part of the secret; nil when nothing is left.
    public init?(secretFileContents text: String) {
        let trimmed = text.trimmingASCIIWhitespace()
        guard !trimmed.isEmpty else { return nil }
        self.init(secret: trimmed)
    }

    /// The exact string that is signed.
    public static func signedString(app: String, stream: String, expires: Int64) -> String {
        "\(app)/\(stream):\(expires)"
    }

    /// The hex token for `app`/`stream` valid until `expires`.
    public func token(app: String, stream: String, expires: Int64) -> String {
        let mac = SHA256.hmac(key: secret, message: Array(Self.signedString(app: app, stream: stream, expires: expires).utf8))
        return mac.map { byte in
            let hex = Array("0123456789abcdef".utf8)
            return String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]], as: UTF8.self)
        }.joined()
    }

    /// The query to append to a play URL's stream name: `expires=<expires>&token=<token>`.
    public func query(app: String, stream: String, expires: Int64) -> String {
        "expires=\(expires)&token=\(token(app: app, stream: stream, expires: expires))"
    }

    /// Checks the `expires` and `token` parameters of `query` (the part after `?`, other
    /// parameters ignored) for `app`/`stream` at `now` (Unix seconds). A token is valid up to and
    /// including its `expires` second.
    public func verify(app: String, stream: String, query: Substring?, now: Int64) -> Verdict {
        let parameters = QueryParameters(query ?? "")
        guard let expiresText = parameters["expires"], let tokenText = parameters["token"] else { return .missing }
        guard let expires = Int64(expiresText), expires >= 0, tokenText.utf8.count == 64,
              tokenText.utf8.allSatisfy({ $0.isHexDigit }) else { return .malformed }
        let expected = token(app: app, stream: stream, expires: expires)
        // Compare every byte whatever differs first, so timing says nothing about the token.
        var difference: UInt8 = 0
        for (a, b) in zip(expected.utf8, tokenText.lowercased().utf8) { difference |= a ^ b }
        guard difference == 0 else { return .forged }
        guard now <= expires else { return .expired }
        return .valid
    }

    /// Checks a raw play name as a client sends it (`livestream?expires=…&token=…`).
    public func verify(app: String, stream: String, rawName: String, now: Int64) -> Verdict {
        verify(app: app, stream: stream, query: QueryParameters.query(of: rawName), now: now)
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
