import Foundation
import Testing
import Topology

/// The sample `host.ini` files shipped in `deploy/topologies/` parse cleanly.
@Suite struct DeploySamplesTests {
    static let topologies = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/topologies")

    @Test(arguments: [
        ("origin-groups/edge.host.ini", 3, "livestreamcast_origin"),
        ("with-intermediate/intermediate.host.ini", 1, "livestreamcast_origin"),
        ("with-intermediate/edge.host.ini", 1, "livestreamcast_intermediate"),
        ("single-machine-groups/edge.host.ini", 3, "livestreamcast_origin"),
    ])
    func sampleParses(path: String, groups: Int, app: String) throws {
        let text = try String(contentsOf: Self.topologies.appendingPathComponent(path), encoding: .utf8)
        let configuration = try HostINIParser.parse(text, file: path).get()
        #expect(configuration.groups.count == groups)
        #expect(configuration.groups.allSatisfy { $0.app == app })
    }
}
