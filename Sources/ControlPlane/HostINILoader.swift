import Foundation
import Topology

/// Reads and parses a `host.ini` file.
enum HostINILoader {
    /// Larger files are refused before parsing: a `host.ini` is a few lines.
    static let maximumFileSize = 1 << 20

    static func load(_ path: String) -> Result<HostConfiguration, HostINILoadError> {
        guard FileManager.default.fileExists(atPath: path) else {
            return .failure(.unreadable(file: path, reason: "no such file"))
        }
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if let size = attributes[.size] as? Int, size > maximumFileSize {
                return .failure(.unreadable(file: path, reason: "\(size) bytes is more than \(maximumFileSize)"))
            }
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            return .failure(.unreadable(file: path, reason: (error as NSError).localizedDescription))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(.unreadable(file: path, reason: "not UTF-8 text"))
        }
        return HostINIParser.parse(text, file: path).mapError { .invalid($0) }
    }
}

/// Why a `host.ini` file could not be used.
public enum HostINILoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read at all.
    case unreadable(file: String, reason: String)
    /// The file has bad lines (every one of them, in line order).
    case invalid(HostINIErrors)

    /// One entry per problem: `file:line: message` (`file: message` for the whole file).
    public var lines: [String] {
        switch self {
        case .unreadable(let file, let reason): ["\(file): cannot read host.ini: \(reason)"]
        case .invalid(let errors): errors.errors.map(\.description)
        }
    }

    public var description: String { lines.joined(separator: "\n") }
}
