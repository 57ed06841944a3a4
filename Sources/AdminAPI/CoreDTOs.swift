import ControlProtocol
import Foundation

/// `GET /api/v1/health`.
public struct HealthResponse: Codable, Sendable, Equatable {
    /// "ok", or "unavailable" when the data plane is not connected (status 503).
    public var status: String
    /// "up" or "down".
    public var dataPlane: String
    public var uptimeSeconds: Double
    public var version: String
}

/// `GET /api/v1/node`.
public struct NodeResponse: Codable, Sendable, Equatable {
    public var role: String
    public var app: String?
    public var version: String
    public var controlProtocolVersion: Int
    /// The data plane's protocol version, once it has said hello.
    public var dataPlaneProtocolVersion: Int?
    public var dataPlaneVersion: String?
    public var httpListen: String
    public var rtmpListen: String?
    /// The data plane's HTTP media address (`lsc-relay --http`).
    public var mediaListen: String?
    public var startedAt: Date
    public var dataPlaneStartedAt: Date?
    public var dataPlane: String
}

/// `GET /api/v1/streams`.
public struct StreamListResponse: Codable, Sendable, Equatable {
    public var streams: [StreamSnapshot]
}

/// `GET /api/v1/clients`.
public struct ClientListResponse: Codable, Sendable, Equatable {
    public var clients: [ClientSnapshot]
}

/// `DELETE /api/v1/clients/{id}`.
public struct ClientDisconnectedResponse: Codable, Sendable, Equatable {
    public var id: String
    public var disconnected: Bool
}
