/// The admin API: `(request) -> response` over one route table, with the bearer-token check,
/// the body limit and the error-to-JSON mapping in one place. No sockets: the HTTP server calls
/// `handle(_:)` and tests call it directly.
public struct AdminRouter: Sendable {
    public let routes: [Route]
    public let environment: APIEnvironment
    /// nil: no authentication (loopback-only deployments).
    public let token: BearerToken?
    public let bodyLimit: Int
    /// Cross-origin and DNS-rebinding protection; nil in tests that speak to the router directly.
    public let browserPolicy: BrowserRequestPolicy?

    /// Default request body limit: 1 MiB.
    public static let defaultBodyLimit = 1 << 20

    public init(routes: [Route] = AdminRouter.table, environment: APIEnvironment, token: BearerToken?,
                bodyLimit: Int = AdminRouter.defaultBodyLimit, browserPolicy: BrowserRequestPolicy? = nil) {
        self.routes = routes; self.environment = environment; self.token = token; self.bodyLimit = bodyLimit
        self.browserPolicy = browserPolicy
    }

    public func handle(_ request: APIRequest) -> APIResponse {
        do throws(APIError) {
            return try route(request)
        } catch {
            return error.response
        }
    }

    private func route(_ request: APIRequest) throws(APIError) -> APIResponse {
        try browserPolicy?.check(request)
        if let token, !token.accepts(authorizationHeader: request.header("authorization")) { throw .unauthorized }
        if request.body.count > bodyLimit { throw .payloadTooLarge(limit: bodyLimit) }
        var allowed: [String] = []
        for route in routes {
            guard let parameters = route.match(request.path) else { continue }
            if route.method == request.method {
                return try route.handler(RouteContext(request: request, parameters: parameters, environment: environment))
            }
            allowed.append(route.method)
        }
        if allowed.isEmpty { throw .notFound("no such endpoint: \(request.path)") }
        throw .methodNotAllowed(request.method, allow: allowed)
    }
}
