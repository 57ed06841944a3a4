import ControlProtocol
import Foundation

extension Route {
    /// The host part of the request's `Host` header (what the client reached us by).
    static func requestHost(_ request: APIRequest) -> String? {
        guard var host = request.header("host"), !host.isEmpty, host.utf8.count <= 255 else { return nil }
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":"), host.firstIndex(of: ":") == colon {
            host = String(host[..<colon])
        }
        // Only plain host names and addresses go into URLs.
        guard host.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-.:_".unicodeScalars.contains($0) })
        else { return nil }
        return host
    }

    /// `stream` with its play URLs on this node.
    static func withPlayURLs(_ stream: StreamSnapshot, state: NodeState, host: String?) -> StreamSnapshot {
        var stream = stream
        guard let hello = state.hello, let app = hello.app else { return stream }
        stream.playUrls = PlayURLs(app: app, stream: stream.name, rtmpListen: hello.rtmpListen, mediaListen: hello.mediaListen, host: host)
        return stream
    }

    /// Health, node, streams, clients and metrics: the data plane's state through the control link.
    static var core: [Route] {
        [
            Route("GET", "/api/v1/health") { context throws(APIError) in
                let state = context.environment.node.state()
                let body = HealthResponse(status: state.linkUp ? "ok" : "unavailable", dataPlane: state.linkUp ? "up" : "down",
                                          uptimeSeconds: max(0, state.now.timeIntervalSince(state.controlStartedAt)),
                                          version: LiveStreamCast.version)
                return try encoded(body, status: state.linkUp ? 200 : 503)
            },
            Route("GET", "/api/v1/node") { context throws(APIError) in
                let state = context.environment.node.state()
                let hello = state.hello
                return try encoded(NodeResponse(
                    role: state.role, app: hello?.app, version: LiveStreamCast.version,
                    controlProtocolVersion: ControlProtocolVersion.current, dataPlaneProtocolVersion: hello?.protocolVersion,
                    dataPlaneVersion: hello?.softwareVersion, httpListen: state.httpListen, rtmpListen: hello?.rtmpListen,
                    mediaListen: hello?.mediaListen,
                    startedAt: state.controlStartedAt, dataPlaneStartedAt: hello?.startedAt, dataPlane: state.linkUp ? "up" : "down"))
            },
            Route("GET", "/api/v1/streams") { context throws(APIError) in
                let state = context.environment.node.state()
                let snapshot = try state.requireSnapshot()
                let host = requestHost(context.request)
                return .json(try bodyCache.body(for: "streams@" + (host ?? ""), generation: state.snapshotGeneration) { () throws(APIError) in
                    try encode(StreamListResponse(streams: snapshot.streams.map { withPlayURLs($0, state: state, host: host) }))
                })
            },
            Route("GET", "/api/v1/streams/{name}") { context throws(APIError) in
                let name = try context.parameter("name")
                let snapshot = try context.environment.node.state().requireSnapshot()
                guard let stream = snapshot.streams.first(where: { $0.name == name }) else {
                    throw .notFound("no stream named '\(name)'")
                }
                let state = context.environment.node.state()
                return try encoded(withPlayURLs(stream, state: state, host: requestHost(context.request)))
            },
            Route("GET", "/api/v1/clients") { context throws(APIError) in
                let state = context.environment.node.state()
                _ = try state.requireSnapshot()
                // One list per snapshot generation (500 ms), however many requests come: the data
                // plane builds it on demand, and the list served from snapshots was as old.
                let node = context.environment.node
                return .json(try bodyCache.body(for: "clients", generation: state.snapshotGeneration) { () throws(APIError) in
                    try encode(ClientListResponse(clients: node.clientList().get()))
                })
            },
            Route("DELETE", "/api/v1/clients/{id}") { context throws(APIError) in
                let id = try context.parameter("id")
                _ = try context.environment.node.state().requireSnapshot()
                switch context.environment.node.disconnectClient(id: id) {
                case nil:
                    throw .dataPlaneUnavailable
                case .ok:
                    return try encoded(ClientDisconnectedResponse(id: id, disconnected: true))
                case .failed(let code, let message) where code == "not-found":
                    throw APIError(status: 404, code: code, message: message)
                case .failed(let code, let message):
                    throw APIError(status: 400, code: code, message: message)
                }
            },
            Route("GET", "/metrics") { context throws(APIError) in
                let text = MetricsRenderer.render(context.environment.node.state())
                return APIResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: Array(text.utf8))
            },
        ]
    }

    private static let bodyCache = EncodedBodyCache()

    /// Encodes with the API's encoder; a failure is a 500 (it means a bug, not bad input).
    static func encode<T: Encodable>(_ value: T) throws(APIError) -> [UInt8] {
        do { return try APIJSON.encode(value) } catch { throw .internalError("response encoding failed: \(error)") }
    }

    static func encoded<T: Encodable>(_ value: T, status: Int = 200) throws(APIError) -> APIResponse {
        .json(try encode(value), status: status)
    }
}
