import Foundation

/// One entry of the admin API's route table: a method, a path pattern and its handler.
///
/// Patterns are literal segments and `{parameter}` segments, e.g. `/api/v1/streams/{name}`;
/// they are written exactly as in `openapi.yaml`'s `paths`.
public struct Route: Sendable {
    public typealias Handler = @Sendable (RouteContext) throws(APIError) -> APIResponse

    public let method: String
    public let pattern: String
    /// Whether the route reads a JSON request body (bodies sent to other routes are ignored).
    public let acceptsBody: Bool
    let segments: [Segment]
    let handler: Handler

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    public init(_ method: String, _ pattern: String, acceptsBody: Bool = false, _ handler: @escaping Handler) {
        self.method = method.uppercased()
        self.pattern = pattern
        self.acceptsBody = acceptsBody
        self.segments = Route.split(pattern).map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? .parameter(String(part.dropFirst().dropLast())) : .literal(part)
        }
        self.handler = handler
    }

    /// Path parameters (percent-decoded) when `path` matches this pattern, else nil.
    func match(_ path: String) -> [String: String]? {
        let parts = Route.split(path)
        guard parts.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let literal):
                guard literal == part else { return nil }
            case .parameter(let name):
                guard let decoded = part.removingPercentEncoding, !decoded.isEmpty else { return nil }
                parameters[name] = decoded
            }
        }
        return parameters
    }

    static func split(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
    }
}
