import ControlProtocol
import AdminAPI
import EditorPage
import Foundation
import Logging
import MicroHTTPServer
import ServiceLifecycle

/// The admin API on libmicrohttpd: translates requests for the router, counts responses by
/// status and logs one debug line per request; `/` and `/editor/` serve the editor page
/// (`EditorSite`, no token: the page asks for it and sends it with its API calls). Runs until
/// graceful shutdown.
public final class AdminHTTPService: Service, Sendable {
    let server: MicroHTTPServer

    init(configuration node: ControlPlaneConfiguration, router: AdminRouter, requests: APIRequestCounter, logger: Logger,
         site: EditorSite = EditorSite()) {
        let configuration = MicroHTTPServerConfiguration(host: node.http.host, port: node.http.port, threads: node.httpThreads,
                                                         bodyLimit: router.bodyLimit, connectionTimeoutSeconds: node.httpTimeoutSeconds,
                                                         connectionLimit: node.httpConnectionLimit,
                                                         perIPConnectionLimit: node.httpPerIPConnectionLimit)
        server = MicroHTTPServer(configuration: configuration, logger: logger) { request in
            if let page = site.respond(method: request.method, path: request.path, headers: request.headers) {
                requests.count(status: page.status)
                logger.debug("\(request.method) \(request.path) -> \(page.status)")
                return HTTPServerResponse(status: page.status, headers: page.headers, body: page.body)
            }
            let response: APIResponse
            if request.bodyTooLarge {
                response = APIError.payloadTooLarge(limit: router.bodyLimit).response
            } else {
                response = router.handle(APIRequest(method: request.method, path: request.path, headers: request.headers, body: request.body))
            }
            requests.count(status: response.status)
            logger.debug("\(request.method) \(request.path) -> \(response.status)")
            var headers = response.headers
            headers["Content-Type"] = response.contentType
            return HTTPServerResponse(status: response.status, headers: headers, body: response.body)
        }
    }

    /// Binds now, so that a bad address fails start-up with a clear message.
    func start() throws { try server.start() }

    public var port: Int { server.port }

    public func run() async throws {
        try? await gracefulShutdown()
        server.stop()
    }
}
