/// One HTTP response produced by the router.
public struct APIResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    /// Extra headers (e.g. `Allow` on a 405, `WWW-Authenticate` on a 401).
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, contentType: String = "application/json", headers: [String: String] = [:], body: [UInt8]) {
        self.status = status; self.contentType = contentType; self.headers = headers; self.body = body
    }

    /// A JSON response from already encoded bytes.
    public static func json(_ body: [UInt8], status: Int = 200) -> APIResponse {
        APIResponse(status: status, body: body)
    }

    /// A JSON response encoding `value` with the API's encoder.
    public static func json<T: Encodable>(_ value: T, status: Int = 200) throws -> APIResponse {
        APIResponse(status: status, body: try APIJSON.encode(value))
    }
}
