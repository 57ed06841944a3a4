/// What a handler gets: the request, its path parameters and the providers of the node's data.
public struct RouteContext: Sendable {
    public let request: APIRequest
    public let parameters: [String: String]
    public let environment: APIEnvironment

    public init(request: APIRequest, parameters: [String: String], environment: APIEnvironment) {
        self.request = request; self.parameters = parameters; self.environment = environment
    }

    /// A path parameter the route pattern declares.
    public func parameter(_ name: String) throws(APIError) -> String {
        guard let value = parameters[name] else { throw .badRequest("missing path parameter '\(name)'") }
        return value
    }

    /// The request body decoded as JSON; 400 on malformed or mistyped JSON.
    public func decodeBody<T: Decodable>(_ type: T.Type) throws(APIError) -> T {
        try APIJSON.decodeBody(type, from: request.body)
    }
}
