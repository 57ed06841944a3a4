import NIOConcurrencyHelpers
import NIOSSL

/// The TLS client context `rtmps://` upstreams are verified with, made on first use: loading
/// the system trust store parses every CA certificate into memory, which a node without
/// `rtmps://` upstreams (every origin, most relays) never needs.
public final class UpstreamTLS: Sendable {
    private let make: @Sendable () -> NIOSSLContext?
    /// nil: not made yet; `.some(nil)`: made, and no context could be built.
    private let made = NIOLockedValueBox<NIOSSLContext??>(nil)

    /// `make` runs once, on the first `context` asked for (on an event loop: it reads files).
    public init(_ make: @escaping @Sendable () -> NIOSSLContext?) {
        self.make = make
    }

    /// A context made already (`--tls-ca`: checked at start).
    public convenience init(context: NIOSSLContext?) {
        self.init { context }
        made.withLockedValue { $0 = .some(context) }
    }

    /// Whether the context has been made (tests; the relay's memory at start).
    public var isMade: Bool { made.withLockedValue { $0 != nil } }

    /// The context, made now if this is the first use.
    public var context: NIOSSLContext? {
        made.withLockedValue { made in
            if let context = made { return context }
            let context = make()
            made = .some(context)
            return context
        }
    }
}
