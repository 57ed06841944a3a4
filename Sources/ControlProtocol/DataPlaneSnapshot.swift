import Foundation

/// The data plane's state, sent on connect and then periodically, so that a control plane that
/// restarts rebuilds its view from one message. Clients are only counted here (a list of
/// thousands of players every 500 ms costs hundreds of kilobytes); the list itself is sent on
/// demand, in the reply to `ControlPlaneMessage.listClients`.
public struct DataPlaneSnapshot: Codable, Sendable, Equatable {
    public var streams: [StreamSnapshot]
    /// RTMP connections by `ClientSnapshot.kind` ("publisher", "player", "child", "connecting");
    /// kinds without a connection are absent.
    public var clientCounts: [String: Int]
    /// The client list of a protocol-1 data plane, which sends it in every snapshot (JSON key
    /// `clients`); nil from protocol 2 on.
    public var legacyClients: [ClientSnapshot]?
    public var children: [ChildSnapshot]
    public var upstreams: [UpstreamSnapshot]
    public var counters: DataPlaneCounters
    public var takenAt: Date

    public init(streams: [StreamSnapshot] = [], clientCounts: [String: Int] = [:], children: [ChildSnapshot] = [],
                upstreams: [UpstreamSnapshot] = [], counters: DataPlaneCounters = .init(), takenAt: Date = Date()) {
        self.streams = streams; self.clientCounts = clientCounts; self.children = children
        self.upstreams = upstreams; self.counters = counters; self.takenAt = takenAt
    }

    /// Connections counted by kind, as `clientCounts` holds them.
    public static func counts(of clients: [ClientSnapshot]) -> [String: Int] {
        clients.reduce(into: [:]) { $0[$1.kind, default: 0] += 1 }
    }

    enum CodingKeys: String, CodingKey {
        case streams, clientCounts, legacyClients = "clients", children, upstreams, counters, takenAt
    }

    /// Decodes both versions: a protocol-1 snapshot has `clients` and no `clientCounts`, which
    /// are then counted from the list.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        streams = try container.decode([StreamSnapshot].self, forKey: .streams)
        legacyClients = try container.decodeIfPresent([ClientSnapshot].self, forKey: .legacyClients)
        clientCounts = try container.decodeIfPresent([String: Int].self, forKey: .clientCounts)
            ?? Self.counts(of: legacyClients ?? [])
        children = try container.decode([ChildSnapshot].self, forKey: .children)
        upstreams = try container.decode([UpstreamSnapshot].self, forKey: .upstreams)
        counters = try container.decode(DataPlaneCounters.self, forKey: .counters)
        takenAt = try container.decode(Date.self, forKey: .takenAt)
    }
}
