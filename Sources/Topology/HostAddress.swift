/// One upstream machine's RTMP address from a `host.ini` line: a host name, IPv4 or IPv6
/// address and a port (1935 when the line gives none).
public struct HostAddress: Hashable, Sendable, CustomStringConvertible {
    /// The RTMP port used when a `host.ini` address has no `:port`.
    public static let defaultPort = 1935

    /// Host name or address, IPv6 without brackets.
    public var host: String
    public var port: Int

    public init(host: String, port: Int = HostAddress.defaultPort) {
        self.host = host
        self.port = port
    }

    /// True when `host` is an IPv6 address (written in brackets in `host.ini` and URLs).
    public var isIPv6: Bool { host.contains(":") }

    /// `host:port`, IPv6 hosts in brackets.
    public var description: String { (isIPv6 ? "[\(host)]" : host) + ":\(port)" }
}
