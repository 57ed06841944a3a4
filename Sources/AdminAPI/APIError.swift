/// Every error the admin API returns, mapped to one JSON shape `{"error":{"code","message"}}`.
public struct APIError: Error, Sendable, Equatable {
    public var status: Int
    /// Machine-readable code ("bad-request", "unauthorized", "not-found", ...).
    public var code: String
    public var message: String
    /// Methods allowed on the path (405 only); sent as the `Allow` header.
    public var allow: [String]
    /// Where in a file each problem is (e.g. every bad line of a `host.ini`); sent as `error.lines`.
    public var lines: [APIErrorLine]

    public init(status: Int, code: String, message: String, allow: [String] = [], lines: [APIErrorLine] = []) {
        self.status = status; self.code = code; self.message = message; self.allow = allow; self.lines = lines
    }

    public static func badRequest(_ message: String) -> APIError { APIError(status: 400, code: "bad-request", message: message) }
    public static let unauthorized = APIError(status: 401, code: "unauthorized", message: "a valid 'Authorization: Bearer <token>' header is required")
    public static func notFound(_ message: String) -> APIError { APIError(status: 404, code: "not-found", message: message) }
    public static func methodNotAllowed(_ method: String, allow: [String]) -> APIError {
        APIError(status: 405, code: "method-not-allowed", message: "method \(method) is not allowed here; allowed: \(allow.joined(separator: ", "))", allow: allow)
    }
    public static func payloadTooLarge(limit: Int) -> APIError {
        APIError(status: 413, code: "payload-too-large", message: "request body is larger than \(limit) bytes")
    }
    public static let dataPlaneUnavailable = APIError(status: 503, code: "data-plane-unavailable", message: "the data plane (lsc-relay) is not connected")
    /// The data plane is connected but did not answer a request (in time, or at all).
    public static func dataPlaneDidNotAnswer(_ message: String) -> APIError {
        APIError(status: 503, code: "data-plane-unavailable", message: message)
    }
    public static func internalError(_ message: String) -> APIError { APIError(status: 500, code: "internal", message: message) }

    /// The error's JSON response; the one place errors become bytes.
    public var response: APIResponse {
        let body = (try? APIJSON.encode(ErrorBody(error: .init(code: code, message: message, lines: lines.isEmpty ? nil : lines))))
            ?? Array(#"{"error":{"code":"internal","message":"error encoding failed"}}"#.utf8)
        var headers: [String: String] = [:]
        if !allow.isEmpty { headers["Allow"] = allow.joined(separator: ", ") }
        if status == 401 { headers["WWW-Authenticate"] = "Bearer" }
        return APIResponse(status: status, headers: headers, body: body)
    }
}

/// `{"error":{"code":"...","message":"..."}}`.
public struct ErrorBody: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
        /// Present when the error is about lines of a file.
        public var lines: [APIErrorLine]?
    }
    public var error: Detail
}

/// One problem at one line of a file, in an error body's `lines`.
public struct APIErrorLine: Codable, Sendable, Equatable {
    public var file: String
    /// 1-based; 0 for a problem with the whole file.
    public var line: Int
    public var message: String
    public init(file: String, line: Int, message: String) {
        self.file = file; self.line = line; self.message = message
    }
}
