import Topology

/// A `host.ini` file as the control plane loads it (and reloads it on the API's request), and
/// every line's first field as an address (the same parser reads command-line addresses).
enum HostINIFuzzing {
    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = HostINIParser.parse(text, file: "host.ini")
        for line in text.split(whereSeparator: \.isNewline).prefix(64) {
            if let field = line.split(whereSeparator: \.isWhitespace).first { _ = HostINIParser.parseAddress(String(field)) }
        }
    }
}
