import ControlProtocol
import Foundation

extension Route {
    /// Upstream topology (groups, failover), its reload, and the registered child nodes.
    static var topology: [Route] {
        [
            Route("GET", "/api/v1/topology") { context throws(APIError) in
                let provider = try context.environment.service((any TopologyProvider).self)
                return try encoded(withDataPlane(provider.topology(), context.environment.node.state()))
            },
            Route("POST", "/api/v1/topology/reload") { context throws(APIError) in
                let provider = try context.environment.service((any TopologyProvider).self)
                switch provider.reload() {
                case .success(let topology): return try encoded(withDataPlane(topology, context.environment.node.state()))
                case .failure(let error): throw error
                }
            },
            Route("GET", "/api/v1/children") { context throws(APIError) in
                let snapshot = try context.environment.node.state().requireSnapshot()
                return try encoded(ChildListResponse(children: snapshot.children))
            },
        ]
    }

    private static func withDataPlane(_ topology: TopologyResponse, _ state: NodeState) -> TopologyResponse {
        var topology = topology
        topology.dataPlane = state.linkUp ? "up" : "down"
        topology.dataPlaneUpstreams = state.linkUp ? state.snapshot?.upstreams : nil
        return topology
    }
}
