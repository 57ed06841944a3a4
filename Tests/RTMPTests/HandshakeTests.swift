import Foundation
import Testing
@testable import RTMP

@Suite struct HandshakeTests {
    @Test func sha256MatchesFIPSVectors() {
        let hex = { (bytes: [UInt8]) in bytes.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // RFC 4231 test case 2.
        #expect(hex(SHA256.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test(arguments: [false, true])
    func clientAndServerCompleteBackToBackFedOneByteAtATime(digest: Bool) throws {
        var client = RTMPClientHandshake(useDigest: digest)
        var server = RTMPServerHandshake()
        var toServer = client.start() + [0xAA] // one byte of chunk stream after C2 later
        toServer.removeLast()
        var serverReply: [UInt8] = []
        for byte in toServer {
            if case .send(let bytes) = try server.feed([byte]) { serverReply = bytes }
        }
        #expect(serverReply.count == 1 + 2 * 1536)
        #expect(server.usedDigest == digest)
        var c2: [UInt8] = []
        for byte in serverReply {
            if case .completed(let reply, let leftover) = try client.feed([byte]) { c2 = reply; #expect(leftover.isEmpty) }
        }
        #expect(client.serverDigestVerified == digest)
        #expect(c2.count == 1536)
        let done = try server.feed(c2 + [0x02, 0x03])
        #expect(done == .completed(leftover: [0x02, 0x03]))
    }

    @Test func rejectsUnsupportedVersion() {
        var server = RTMPServerHandshake()
        #expect(throws: RTMPHandshakeError.unsupportedVersion(6)) { try server.feed([6] + [UInt8](repeating: 0, count: 1536)) }
    }
}
