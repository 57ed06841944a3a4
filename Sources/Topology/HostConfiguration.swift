/// A parsed `host.ini`: the node's upstream server groups in file order. A plain value; read it
/// with `HostINIParser`.
public struct HostConfiguration: Hashable, Sendable {
    public var groups: [ServerGroup]

    public init(groups: [ServerGroup]) {
        self.groups = groups
    }

    /// The group with this label, if any.
    public func group(labelled label: String) -> ServerGroup? {
        groups.first { $0.label == label }
    }

    /// Every distinct upstream server (primaries and secondaries) in file order.
    public var servers: [UpstreamServer] {
        var seen = Set<UpstreamServer>()
        var result: [UpstreamServer] = []
        for group in groups {
            for server in [group.primaryServer, group.secondaryServer] where seen.insert(server).inserted {
                result.append(server)
            }
        }
        return result
    }
}
