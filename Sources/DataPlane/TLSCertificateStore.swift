import Logging
import NIOConcurrencyHelpers
import NIOSSL

/// The RTMPS server's certificate and key, loaded from PEM files and reloadable (SIGHUP): each
/// new connection takes the context in force when it is accepted; connections already open keep
/// theirs, so a reload drops nobody.
public final class TLSCertificateStore: Sendable {
    public let certificatePath: String
    public let keyPath: String
    private let current: NIOLockedValueBox<NIOSSLContext>

    /// Loads the files; throws (with the file named) when they cannot be read or do not match.
    public init(certificatePath: String, keyPath: String) throws {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        current = NIOLockedValueBox(try Self.load(certificatePath: certificatePath, keyPath: keyPath))
    }

    /// The context new connections use.
    public var context: NIOSSLContext { current.withLockedValue { $0 } }

    /// Reads the files again; on failure the previous certificate stays in force.
    public func reload(logger: Logger) {
        do {
            let context = try Self.load(certificatePath: certificatePath, keyPath: keyPath)
            current.withLockedValue { $0 = context }
            logger.info("TLS certificate reloaded", metadata: ["certificate": "\(certificatePath)"])
        } catch {
            logger.error("TLS certificate reload failed; the previous one stays in use", metadata: ["error": "\(error)"])
        }
    }

    private static func load(certificatePath: String, keyPath: String) throws -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw TLSSetupError.unreadable(file: certificatePath, reason: "\(error)")
        }
        guard !chain.isEmpty else { throw TLSSetupError.unreadable(file: certificatePath, reason: "no certificate in the file") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw TLSSetupError.unreadable(file: keyPath, reason: "\(error)")
        }
        let configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSSetupError.unreadable(file: keyPath, reason: "key does not match \(certificatePath) or is unusable: \(error)")
        }
    }
}

/// TLS set-up failures, naming the file at fault.
public enum TLSSetupError: Error, CustomStringConvertible {
    case unreadable(file: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): return "\(file): \(reason)"
        }
    }
}
