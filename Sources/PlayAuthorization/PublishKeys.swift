import RTMP

/// Who may publish: a publish-keys file, one `<stream-name> <key>` per line (`*` as the name
/// accepts the key for any stream; `#` starts a comment; blank lines ignored).
///
/// A publisher gives its key as encoders do: in the stream name's query (`livestream?key=…`, OBS's
/// "Stream Key") or in the query of the `connect` URL (`rtmp://host/app?key=…`).
public struct PublishKeys: Sendable, Equatable {
    /// Keys per normalized stream name; `*` holds the keys valid for any name.
    private var keys: [String: Set<String>]

    /// One line of the file that could not be used.
    public struct LineError: Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// Every bad line of a file (the file is used only when there is none).
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var errors: [LineError]
        public var description: String { errors.map(\.description).joined(separator: "; ") }
    }

    /// Parses the text of a publish-keys file, reporting every bad line with its number.
    public init(parsing text: String) throws(ParseError) {
        var keys: [String: Set<String>] = [:]
        var errors: [LineError] = []
        var number = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            guard fields.count == 2 else {
                errors.append(LineError(line: number, reason: "expected '<stream-name> <key>', found \(fields.count) field(s)"))
                continue
            }
            let name: String
            if fields[0] == "*" {
                name = "*"
            } else {
                do {
                    name = try StreamName.normalize(String(fields[0]))
                } catch {
                    errors.append(LineError(line: number, reason: "bad stream name '\(fields[0])': \(error)"))
                    continue
                }
                guard name == fields[0] else {
                    errors.append(LineError(line: number, reason: "stream name '\(fields[0])' is not in normal form (use '\(name)')"))
                    continue
                }
            }
            let key = String(fields[1])
            guard key.utf8.count <= 256 else {
                errors.append(LineError(line: number, reason: "key longer than 256 characters"))
                continue
            }
            guard key.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0 != "&" && $0 != "?" && $0 != "#" }) else {
                errors.append(LineError(line: number, reason: "key must be printable ASCII without '&', '?' or '#'"))
                continue
            }
            keys[name, default: []].insert(key)
        }
        guard errors.isEmpty else { throw ParseError(errors: errors) }
        self.keys = keys
    }

    /// Number of (name, key) entries.
    public var count: Int { keys.values.reduce(0) { $0 + $1.count } }

    /// Whether `key` lets a publisher publish `stream` (a normalized name).
    public func allows(stream: String, key: String?) -> Bool {
        guard let key else { return false }
        return keys[stream]?.contains(key) == true || keys["*"]?.contains(key) == true
    }

    /// The key a publisher presented: `key=` in the publish name's query first, then in the
    /// query of the connect command's `app` or `tcUrl`.
    public static func presentedKey(publishName: String, app: String, tcUrl: String?) -> String? {
        for text in [publishName, app, tcUrl ?? ""] {
            if let query = QueryParameters.query(of: text), let key = QueryParameters(query)["key"], !key.isEmpty { return key }
        }
        return nil
    }
}
