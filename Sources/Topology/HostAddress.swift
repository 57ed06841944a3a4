/// One upstream machine's RTMP address from a `host.ini` line: a host name, IPv4 or IPv6
/// address and a port (1935 when the line gives none; 443 for `rtmps://`), and whether the
/// connection is RTMPS (TLS, verified).
public struct HostAddress: Hashable, Sendable, CustomStringConvertible {
    /// The RTMP port used when a `host.ini` address has no `:port`.
    public static let defaultPort = 1935
    /// The port used when an `rtmps://` address has no `:port`.
    public static let defaultTLSPort = 443

    /// Host name or address, IPv6 without brackets.
    public var host: String
    public var port: Int
    /// RTMPS: TLS to the upstream, its certificate verified.
    public var tls: Bool

    public init(host: String, port: Int = HostAddress.defaultPort, tls: Bool = false) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// True when `host` is an IPv6 address (written in brackets in `host.ini` and URLs).
    public var isIPv6: Bool { host.contains(":") }

    /// `host:port`, IPv6 hosts in brackets; `rtmps://host:port` for RTMPS.
    public var description: String { (tls ? "rtmps://" : "") + (isIPv6 ? "[\(host)]" : host) + ":\(port)" }
}
