#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import NIOCore

/// The credentials of the process at the other end of a Unix-domain socket (`SO_PEERCRED`),
/// and the rule the control socket applies to them: the relay's own user, or root.
enum PeerCredentials {
    /// Errors refusing a control-link peer.
    enum Refusal: Error, CustomStringConvertible {
        case foreignUser(uid: UInt32, pid: Int32)
        case unavailable

        var description: String {
            switch self {
            case .foreignUser(let uid, let pid): "peer uid \(uid) (pid \(pid)) is neither this user nor root"
            case .unavailable: "peer credentials unavailable"
            }
        }
    }

    /// `struct ucred` of <sys/socket.h> (pid, uid, gid; 12 bytes), which the Glibc module only
    /// exports under _GNU_SOURCE.
    struct Credentials: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    /// Whether a peer with `uid` may use the control socket of a process running as `ownUID`.
    static func allows(uid: UInt32, ownUID: UInt32) -> Bool { uid == ownUID || uid == 0 }

    /// Succeeds when `channel`'s peer may use the control socket; fails (the channel is then
    /// closed by the bootstrap) otherwise, with a warning naming the peer.
    static func check(_ channel: any Channel, logger: Logger) -> EventLoopFuture<Void> {
        #if os(Linux)
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(Refusal.unavailable)
        }
        let future: EventLoopFuture<Credentials> = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return future.flatMapThrowing { credentials in
            guard allows(uid: credentials.uid, ownUID: getuid()) else {
                let refusal = Refusal.foreignUser(uid: credentials.uid, pid: credentials.pid)
                logger.warning("refusing control connection: \(refusal)")
                throw refusal
            }
        }
        #else
        return channel.eventLoop.makeSucceededVoidFuture()
        #endif
    }
}
