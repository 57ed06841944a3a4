import Foundation
import PlayAuthorization

/// What an `RTMPSession` asks of its node while it decides: facts answered at once, with no side
/// effects, so the session stays a value that tests drive with a plain struct.
protocol RTMPSessionNode {
    /// An intermediate or edge: a play of a stream not published here makes the node pull it.
    var pullsFromUpstream: Bool { get }
    /// Plays need a signed token (`--play-secret-file`).
    var signsPlays: Bool { get }
    /// Children must present a cluster secret (`--cluster-secret-file`).
    var requiresClusterSecret: Bool { get }
    func isPublished(_ name: String) -> Bool
    /// The publish keys' verdict on `key` for `stream` (true when no keys are configured).
    func mayPublish(stream: String, key: String?) -> Bool
    /// The play secret's verdict on `raw` (the name as played, its query holding the token).
    func playVerdict(stream: String, raw: String) -> PlayTokenSigner.Verdict
    /// True when `secret` is the cluster secret (or none is configured).
    func acceptsClusterSecret(_ secret: String?) -> Bool
}

extension RelayNode: RTMPSessionNode {
    var pullsFromUpstream: Bool { configuration.role != .origin }
    var signsPlays: Bool { access.playSigner != nil }
    var requiresClusterSecret: Bool { configuration.clusterSecret != nil }
    func isPublished(_ name: String) -> Bool { hub.isPublished(name) }
    func mayPublish(stream: String, key: String?) -> Bool { access.mayPublish(stream: stream, key: key) }
    func playVerdict(stream: String, raw: String) -> PlayTokenSigner.Verdict {
        guard let signer = access.playSigner else { return .valid }
        return signer.verify(app: configuration.app, stream: stream, rawName: raw, now: Int64(Date().timeIntervalSince1970))
    }
    func acceptsClusterSecret(_ secret: String?) -> Bool { children.accepts(secret: secret) }
}
