import AdminAPI
import ControlProtocol
import Foundation
import HighlightExport
import PlayAuthorization
import RTMP

/// The control plane's `PlayURLProvider`: signs with `PlayTokenSigner` exactly what the relay
/// verifies — the application it serves (from its hello) and the normalized live-stream name,
/// or a VOD name without its query.
public struct PlayURLMinter: PlayURLProvider {
    /// Default and largest lifetime of a minted URL, in seconds.
    public static let defaultTTL = 3600
    public static let maximumTTL = 7 * 86_400

    private let signer: PlayTokenSigner
    /// The data plane's app and RTMP listen address (nil until it has said hello).
    private let dataPlane: @Sendable () -> (app: String, rtmpListen: String)?
    private let clock: @Sendable () -> Date

    public init(signer: PlayTokenSigner, clock: @escaping @Sendable () -> Date = { Date() },
                dataPlane: @escaping @Sendable () -> (app: String, rtmpListen: String)?) {
        self.signer = signer
        self.dataPlane = dataPlane
        self.clock = clock
    }

    public func mint(_ request: PlayURLRequest, host: String?) -> Result<PlayURLResponse, APIError> {
        let ttl = request.ttl ?? Self.defaultTTL
        guard ttl > 0, ttl <= Self.maximumTTL else {
            return .failure(.badRequest("ttl must be 1 to \(Self.maximumTTL) seconds, got \(ttl)"))
        }
        let raw = request.stream
        guard !raw.contains("?") else { return .failure(.badRequest("give the stream name without a query")) }
        // What the relay checks the token against.
        let signed: String
        do {
            if (try VODName(raw)) != nil {
                signed = raw
            } else {
                signed = try StreamName.normalize(raw)
            }
        } catch {
            return .failure(.badRequest("stream '\(raw)' cannot be played: \(error)"))
        }
        guard let dataPlane = dataPlane(), let listen = ListenAddress(parsing: dataPlane.rtmpListen) else {
            return .failure(.dataPlaneUnavailable)
        }
        let expires = Int64(clock().timeIntervalSince1970) + Int64(ttl)
        let query = signer.query(app: dataPlane.app, stream: signed, expires: expires)
        var rtmpHost = listen.host
        if ["0.0.0.0", "::", ""].contains(rtmpHost) {
            // A wildcard listen: the name the client reached this node by.
            rtmpHost = host.flatMap(BrowserRequestPolicy.hostName) ?? "127.0.0.1"
        }
        let authority = (rtmpHost.contains(":") ? "[\(rtmpHost)]" : rtmpHost) + ":\(listen.port)"
        let path = raw.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "?#"))) ?? raw
        return .success(PlayURLResponse(stream: raw, app: dataPlane.app, expires: expires,
                                        expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)), query: query,
                                        rtmp: "rtmp://\(authority)/\(dataPlane.app)/\(path)?\(query)"))
    }
}
