/// The providers handlers read the node's data from. The core `NodeStateProvider` is always
/// there; other areas register theirs (topology, DVR, ...) by type with `register(_:as:)` and
/// fetch them in their handlers with `service(_:)`, so adding an area never changes this type.
public struct APIEnvironment: Sendable {
    public let node: any NodeStateProvider
    private var services: [ObjectIdentifier: any Sendable] = [:]

    public init(node: any NodeStateProvider) { self.node = node }

    public mutating func register<Service: Sendable>(_ service: Service, as type: Service.Type = Service.self) {
        services[ObjectIdentifier(type)] = service
    }

    /// The provider registered for `type`; a 503 "not-configured" error when this node has none.
    public func service<Service>(_ type: Service.Type) throws(APIError) -> Service {
        guard let service = services[ObjectIdentifier(type)] as? Service else {
            throw APIError(status: 503, code: "not-configured", message: "\(type) is not available on this node")
        }
        return service
    }
}
