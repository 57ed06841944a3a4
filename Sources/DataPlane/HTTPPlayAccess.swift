import Foundation
import HTTPMedia
import Logging
import NIOCore
import PlayAuthorization

/// Who may watch over HTTP: with `--play-secret-file`, every media request needs the signed
/// `?expires=…&token=…` an RTMP play needs, for the same `<app>/<stream>` (a file: its VOD name,
/// as `POST /api/v1/play-urls` mints it). Refusals are logged and counted as RTMP's are
/// (`bad-play-token`).
struct HTTPPlayAccess: Sendable {
    enum Decision: Equatable {
        /// Go ahead; `query` (`expires=…&token=…`, empty without a secret) goes on every URI of
        /// a playlist served.
        case allowed(query: String)
        case refused(PlayTokenSigner.Verdict)
    }

    let app: String
    let signer: PlayTokenSigner?
    let clients: ClientRegistry
    let logger: Logger

    func check(_ route: HTTPMediaRoute, query: Substring?, peer: SocketAddress?) -> Decision {
        guard let signer, let names = route.playNames else { return .allowed(query: "") }
        let now = Int64(Date().timeIntervalSince1970)
        var verdict = PlayTokenSigner.Verdict.missing
        for name in names {
            verdict = signer.verify(app: app, stream: name, query: query, now: now)
            if verdict == .valid {
                let parameters = QueryParameters(query ?? "")
                return .allowed(query: "expires=\(parameters["expires"] ?? "")&token=\(parameters["token"] ?? "")")
            }
            // A token for another name of the same file is "forged" for this one: try them all.
            if verdict != .forged { break }
        }
        logger.warning("refusing HTTP play: \(verdict)", metadata: ["stream": "\(names[0])", "peer": "\(peer.map { "\($0)" } ?? "?")"])
        clients.countRefused("bad-play-token")
        return .refused(verdict)
    }
}
