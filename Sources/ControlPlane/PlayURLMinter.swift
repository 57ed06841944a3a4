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
    /// The data plane's app, RTMP and HTTP media listen addresses (nil until it has said hello;
    /// `mediaListen` nil with `--http off`).
    private let dataPlane: @Sendable () -> (app: String, rtmpListen: String, mediaListen: String?)?
    private let clock: @Sendable () -> Date

    public init(signer: PlayTokenSigner, clock: @escaping @Sendable () -> Date = { Date() },
                dataPlane: @escaping @Sendable () -> (app: String, rtmpListen: String, mediaListen: String?)?) {
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
        let isFile: Bool
        do {
            isFile = (try VODName(raw)) != nil
            if isFile {
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
        let authority = Self.authority(of: listen, reachedAs: host)
        let path = Self.percentEncoded(raw)
        var http: [String] = []
        if let media = dataPlane.mediaListen.flatMap({ ListenAddress(parsing: $0) }) {
            // The same token opens the stream over HTTP (the relay checks the same name).
            let base = "http://\(Self.authority(of: media, reachedAs: host))"
            if isFile {
                let file = VODName.splittingPrefix(raw).rest
                http = ["\(base)/vod/\(Self.percentEncoded(file))?\(query)"]
            } else {
                let live = "\(base)/\(dataPlane.app)/\(Self.percentEncoded(signed))"
                http = ["\(live)?\(query)", "\(live)/index.m3u8?\(query)", "\(live).mp4?\(query)", "\(live).flv?\(query)"]
            }
        }
        return .success(PlayURLResponse(stream: raw, app: dataPlane.app, expires: expires,
                                        expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)), query: query,
                                        rtmp: "rtmp://\(authority)/\(dataPlane.app)/\(path)?\(query)", http: http))
    }

    /// `host:port` of a listen address; a wildcard listen gives the name the client reached this
    /// node by.
    private static func authority(of listen: ListenAddress, reachedAs host: String?) -> String {
        var name = listen.host
        if ["0.0.0.0", "::", ""].contains(name) {
            name = host.flatMap(BrowserRequestPolicy.hostName) ?? "127.0.0.1"
        }
        return (name.contains(":") ? "[\(name)]" : name) + ":\(listen.port)"
    }

    private static func percentEncoded(_ path: String) -> String {
        path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "?#"))) ?? path
    }
}
