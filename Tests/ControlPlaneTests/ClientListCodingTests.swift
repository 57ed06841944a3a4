import ControlProtocol
import Foundation
import NIOCore
import Testing
@testable import ControlLink

/// The line answering `listClients`, without sockets: the list, or a "too-large" refusal when it
/// would not fit on one control-link line (the peer would drop the link).
@Suite struct ClientListCodingTests {
    static func clients(_ count: Int, streamBytes: Int = 8) -> [ClientSnapshot] {
        (0..<count).map {
            ClientSnapshot(id: "c\($0)", kind: $0 == 0 ? "publisher" : "player", remoteAddress: "[2001:db8::\($0 % 65536)]:54321",
                           stream: String(repeating: "s", count: streamBytes), bytesIn: .max, bytesOut: .max,
                           connectedSince: Date(timeIntervalSince1970: 1_800_000_000 + Double($0)))
        }
    }

    static func reply(_ line: ByteBuffer) throws -> CommandReply {
        #expect(line.readableBytesView.last == UInt8(ascii: "\n"))
        var body = line
        body.moveWriterIndex(to: line.writerIndex - 1)
        guard case .reply(let reply) = try #require(ControlLinkCoding.decodeLine(DataPlaneMessage.self, from: body)) else {
            throw ReplyMissing()
        }
        return reply
    }

    struct ReplyMissing: Error {}

    @Test func theListIsTheReplyWithItsID() throws {
        let line = try ControlLinkCoding.clientListLine(id: 9, clients: Self.clients(3), allocator: ByteBufferAllocator())
        #expect(try Self.reply(line) == CommandReply(id: 9, ok: true, clients: Self.clients(3)))
    }

    @Test func aListLongerThanTheLineLimitIsRefusedNotSent() throws {
        let clients = Self.clients(50)
        let full = try ControlLinkCoding.clientListLine(id: 3, clients: clients, allocator: ByteBufferAllocator())
        let limit = full.readableBytes - 2
        let line = try ControlLinkCoding.clientListLine(id: 3, clients: clients, allocator: ByteBufferAllocator(), limit: limit)
        #expect(line.readableBytes - 1 <= limit)
        let reply = try Self.reply(line)
        #expect(!reply.ok && reply.errorCode == "too-large" && reply.clients == nil && reply.id == 3)
        #expect(reply.message?.contains("50 clients") == true)
        // Exactly at the limit still goes.
        let exact = try ControlLinkCoding.clientListLine(id: 3, clients: clients, allocator: ByteBufferAllocator(), limit: full.readableBytes - 1)
        #expect(try Self.reply(exact).clients?.count == 50)
    }

    /// `--max-connections` defaults to 10 000; that many clients with 200-byte stream names (the
    /// longest the relay accepts) and IPv6 addresses fit on one line with room to spare.
    @Test func theDefaultMaximumOfConnectionsFitsOnOneLine() throws {
        let line = try ControlLinkCoding.clientListLine(id: 1, clients: Self.clients(10_000, streamBytes: 200), allocator: ByteBufferAllocator())
        #expect(line.readableBytes * 2 < ControlLinkCoding.maxLineLength)
        #expect(try Self.reply(line).clients?.count == 10_000)
    }
}
