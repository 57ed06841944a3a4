import Topology

/// The upstream servers of one relayed stream.
public struct StreamSources: Hashable, Sendable {
    public var stream: String
    /// The server feeding the stream now.
    public var active: UpstreamServer?
    /// Servers that answered play, in the order they answered; servers that come back are
    /// appended at the bottom. The active server is first.
    public var available: [UpstreamServer]
    /// Servers asked to play that have not answered yet.
    public var pending: Set<UpstreamServer>

    init(stream: String) {
        self.stream = stream
        self.active = nil
        self.available = []
        self.pending = []
    }

    /// True when `server` is active, available or asked.
    func knows(_ server: UpstreamServer) -> Bool {
        available.contains(server) || pending.contains(server)
    }
}
