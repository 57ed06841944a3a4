import Foundation
import NIOConcurrencyHelpers
import PlayAuthorization

/// Who may publish and play on this relay: the publish keys (re-read from their file on
/// SIGHUP) and the play-token signer. Read on every publish and play, from any event loop.
public final class AccessPolicy: Sendable {
    /// The publish-keys file; nil: publishing is open.
    public let publishKeysPath: String?
    private let keys: NIOLockedValueBox<PublishKeys?>
    /// When set, players need a valid `?expires=…&token=…` (children registered with the
    /// cluster secret excepted).
    public let playSigner: PlayTokenSigner?

    /// Errors reading the publish-keys file.
    public enum LoadError: Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case invalid(path: String, PublishKeys.ParseError)

        public var description: String {
            switch self {
            case .unreadable(let path, let reason): "cannot read publish keys \(path): \(reason)"
            case .invalid(let path, let error): "bad publish keys \(path): \(error)"
            }
        }
    }

    public init(publishKeys: PublishKeys?, publishKeysPath: String?, playSigner: PlayTokenSigner?) {
        self.keys = NIOLockedValueBox(publishKeys)
        self.publishKeysPath = publishKeysPath
        self.playSigner = playSigner
    }

    /// Reads and parses a publish-keys file.
    public static func loadPublishKeys(path: String) throws(LoadError) -> PublishKeys {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        do throws(PublishKeys.ParseError) {
            return try PublishKeys(parsing: text)
        } catch {
            throw .invalid(path: path, error)
        }
    }

    /// Re-reads the publish-keys file (SIGHUP). On an error the keys in use stay as they were.
    @discardableResult
    public func reload() throws(LoadError) -> Int {
        guard let publishKeysPath else { return 0 }
        let fresh = try Self.loadPublishKeys(path: publishKeysPath)
        keys.withLockedValue { $0 = fresh }
        return fresh.count
    }

    /// Whether publishing needs a key at all.
    public var requiresPublishKey: Bool { keys.withLockedValue { $0 != nil } }

    /// Whether `key` may publish `stream` (always true when publishing is open).
    public func mayPublish(stream: String, key: String?) -> Bool {
        keys.withLockedValue { $0?.allows(stream: stream, key: key) ?? true }
    }
}
