/// One `host.ini` line: a labelled group of a primary and a secondary upstream machine serving
/// the same application. Primary equal to secondary means a group of one machine.
public struct ServerGroup: Hashable, Sendable {
    /// The group's label (the seed calls it "server group name"; it is only a label).
    public var label: String
    public var primary: HostAddress
    public var secondary: HostAddress
    /// Application name on the upstream machines.
    public var app: String
    /// Optional application instance (`app/instance`).
    public var instance: String?
    /// 1-based line of `host.ini` the group was read from (0 when built in code).
    public var line: Int

    public init(label: String, primary: HostAddress, secondary: HostAddress, app: String,
                instance: String? = nil, line: Int = 0) {
        self.label = label
        self.primary = primary
        self.secondary = secondary
        self.app = app
        self.instance = instance
        self.line = line
    }

    /// True when primary and secondary are the same machine (a group of one).
    public var isSingleMachine: Bool { primary == secondary }

    /// `app` or `app/instance`: the path a client connects to on the upstream machines.
    public var appPath: String { instance.map { "\(app)/\($0)" } ?? app }

    /// The group's primary server.
    public var primaryServer: UpstreamServer { UpstreamServer(address: primary, app: appPath) }

    /// The group's secondary server (the primary again for a group of one).
    public var secondaryServer: UpstreamServer { UpstreamServer(address: secondary, app: appPath) }
}
