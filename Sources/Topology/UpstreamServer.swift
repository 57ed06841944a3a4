/// One upstream server a node can pull from: a machine and the RTMP application on it.
public struct UpstreamServer: Hashable, Sendable, CustomStringConvertible {
    public var address: HostAddress
    /// `app` or `app/instance`, as written in `host.ini`.
    public var app: String

    public init(address: HostAddress, app: String) {
        self.address = address
        self.app = app
    }

    /// `host:port/app`, IPv6 hosts in brackets: the id used in control events, logs and the API
    /// (the same spelling as `ControlProtocol.UpstreamTarget.id`).
    public var id: String { "\(address)/\(app)" }

    public var description: String { id }
}
