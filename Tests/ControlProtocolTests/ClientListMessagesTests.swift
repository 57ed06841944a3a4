import ControlProtocol
import Foundation
import Testing

/// Protocol 2: snapshots count clients, the list comes on demand (`listClients` and its reply);
/// protocol-1 snapshots still decode.
@Suite struct ClientListMessagesTests {
    static let clients = [
        ClientSnapshot(id: "c1", kind: "publisher", remoteAddress: "127.0.0.1:5000", stream: "cam 1", bytesIn: 10, connectedSince: Date(timeIntervalSince1970: 1)),
        ClientSnapshot(id: "c2", kind: "player", remoteAddress: "[::1]:5001", stream: "cam 1", bytesOut: 20, connectedSince: Date(timeIntervalSince1970: 2)),
        ClientSnapshot(id: "c3", kind: "player", remoteAddress: "127.0.0.1:5002", connectedSince: Date(timeIntervalSince1970: 3)),
    ]

    static func object(_ data: Data) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func listClientsAndItsReplyRoundTrip() throws {
        let request = ControlPlaneMessage.listClients(id: 42)
        let requestData = try JSONEncoder().encode(request)
        #expect(String(decoding: requestData, as: UTF8.self) == #"{"listClients":{"id":42}}"#)
        #expect(try JSONDecoder().decode(ControlPlaneMessage.self, from: requestData) == request)

        let reply = DataPlaneMessage.reply(CommandReply(id: 42, ok: true, clients: Self.clients))
        let replyData = try JSONEncoder().encode(reply)
        #expect(!replyData.contains(UInt8(ascii: "\n")))
        #expect(try JSONDecoder().decode(DataPlaneMessage.self, from: replyData) == reply)
    }

    @Test func aCommandReplyWithoutAListDecodesAsBefore() throws {
        let line = Data(#"{"reply":{"_0":{"id":7,"ok":false,"errorCode":"not-found","message":"no such client"}}}"#.utf8)
        let reply = CommandReply(id: 7, ok: false, errorCode: "not-found", message: "no such client")
        #expect(try JSONDecoder().decode(DataPlaneMessage.self, from: line) == .reply(reply))
        #expect(try Self.object(JSONEncoder().encode(reply))["clients"] == nil)
    }

    @Test func snapshotsCarryCountsByKindAndNoList() throws {
        let snapshot = DataPlaneSnapshot(streams: [StreamSnapshot(name: "cam 1", state: "live")],
                                         clientCounts: DataPlaneSnapshot.counts(of: Self.clients), takenAt: Date(timeIntervalSince1970: 4))
        #expect(snapshot.clientCounts == ["publisher": 1, "player": 2])
        let data = try JSONEncoder().encode(DataPlaneMessage.snapshot(snapshot))
        let body = try #require((try Self.object(data)["snapshot"] as? [String: Any])?["_0"] as? [String: Any])
        #expect(body["clients"] == nil)
        #expect(body["clientCounts"] as? [String: Int] == ["publisher": 1, "player": 2])
        let decoded = try JSONDecoder().decode(DataPlaneMessage.self, from: data)
        #expect(decoded == .snapshot(snapshot))
        guard case .snapshot(let back) = decoded else { Issue.record("not a snapshot"); return }
        #expect(back.legacyClients == nil)
    }

    /// A snapshot line as a protocol-1 `lsc-relay` sends it (from the committed fuzz corpus, with
    /// clients): the counts are made from its list, which is kept for the client list route.
    @Test func aProtocol1SnapshotDecodesWithCountsFromItsList() throws {
        let line = #"{"snapshot":{"_0":{"children":[],"takenAt":817928621.8,"upstreams":[],"#
            + #""counters":{"bytesIn":27846,"connectionsRefused":{},"connectionsDropped":{},"bytesOut":36393},"streams":[],"#
            + #""clients":[{"id":"c1","kind":"publisher","remoteAddress":"127.0.0.1:5000","bytesIn":1,"bytesOut":2,"connectedSince":1},"#
            + #"{"id":"c2","kind":"player","remoteAddress":"127.0.0.1:5001","stream":"live","bytesIn":0,"bytesOut":9,"connectedSince":2}]}}}"#
        let message = try JSONDecoder().decode(DataPlaneMessage.self, from: Data(line.utf8))
        guard case .snapshot(let snapshot) = message else { Issue.record("not a snapshot"); return }
        #expect(snapshot.clientCounts == ["publisher": 1, "player": 1])
        #expect(snapshot.legacyClients?.map(\.id) == ["c1", "c2"])
        #expect(snapshot.counters.bytesOut == 36393)
    }

    @Test func snapshotsMissingRequiredFieldsDoNotDecode() {
        let line = #"{"snapshot":{"_0":{"clientCounts":{"player":1},"takenAt":1}}}"#
        #expect((try? JSONDecoder().decode(DataPlaneMessage.self, from: Data(line.utf8))) == nil)
        let mistyped = #"{"snapshot":{"_0":{"children":[],"takenAt":1,"upstreams":[],"streams":[],"#
            + #""counters":{"bytesIn":0,"connectionsRefused":{},"connectionsDropped":{},"bytesOut":0},"clientCounts":{"player":"many"}}}}"#
        #expect((try? JSONDecoder().decode(DataPlaneMessage.self, from: Data(mistyped.utf8))) == nil)
    }

    @Test func anUnknownRequestIsNotAControlPlaneMessage() {
        // What a protocol-1 data plane sees of a newer request: nothing it decodes (it ignores the line).
        #expect((try? JSONDecoder().decode(ControlPlaneMessage.self, from: Data(#"{"listStreams":{"id":1}}"#.utf8))) == nil)
        #expect((try? JSONDecoder().decode(ControlPlaneMessage.self, from: Data(#"{"listClients":{}}"#.utf8))) == nil)
    }

    @Test func theVersionThatListsOnDemandIsTheCurrentOne() {
        #expect(ControlProtocolVersion.current >= ControlProtocolVersion.clientListOnDemand)
        #expect(Hello(softwareVersion: "t", role: "origin", startedAt: Date()).protocolVersion == ControlProtocolVersion.current)
    }
}
