import Foundation
import PlayAuthorization
import RTMP
import Testing

@Suite struct PlayTokenTests {
    let signer = PlayTokenSigner(secret: "s3cret")

    @Test func hmacMatchesRFC4231() {
        // RFC 4231 test case 2.
        let mac = SHA256.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(mac.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func tokenIsHMACOfAppStreamExpires() {
        // The format lsc-control mints and the relay checks: hex HMAC-SHA256(secret, "<app>/<stream>:<expires>").
        #expect(PlayTokenSigner.signedString(app: "livestreamcast_edge", stream: "livestream", expires: 1_800_000_000)
                == "livestreamcast_edge/livestream:1800000000")
        let token = signer.token(app: "livestreamcast_edge", stream: "livestream", expires: 1_800_000_000)
        #expect(token.count == 64)
        #expect(token == token.lowercased())
        // Same value as `printf %s 'livestreamcast_edge/livestream:1800000000' | openssl dgst -sha256 -hmac s3cret`.
        #expect(token == "b6a7d33243cf8e87ad5a0082443c81c02dc4b912f8093ea9166ec93be67310c5")
    }

    @Test func verifiesValidExpiredForgedMissing() {
        let query = signer.query(app: "app", stream: "live", expires: 1000)
        #expect(signer.verify(app: "app", stream: "live", rawName: "live?\(query)", now: 999) == .valid)
        #expect(signer.verify(app: "app", stream: "live", rawName: "live?\(query)", now: 1000) == .valid)
        #expect(signer.verify(app: "app", stream: "live", rawName: "live?\(query)", now: 1001) == .expired)
        #expect(signer.verify(app: "app", stream: "other", rawName: "other?\(query)", now: 999) == .forged)
        #expect(signer.verify(app: "app2", stream: "live", rawName: "live?\(query)", now: 999) == .forged)
        #expect(PlayTokenSigner(secret: "other").verify(app: "app", stream: "live", rawName: "live?\(query)", now: 999) == .forged)
        let later = query.replacingOccurrences(of: "expires=1000", with: "expires=2000")
        #expect(signer.verify(app: "app", stream: "live", rawName: "live?\(later)", now: 999) == .forged)
        #expect(signer.verify(app: "app", stream: "live", rawName: "live", now: 999) == .missing)
        #expect(signer.verify(app: "app", stream: "live", rawName: "live?expires=1000", now: 999) == .missing)
        #expect(signer.verify(app: "app", stream: "live", rawName: "live?expires=x&token=\(String(repeating: "a", count: 64))", now: 0) == .malformed)
        #expect(signer.verify(app: "app", stream: "live", rawName: "live?expires=99999999999999999999999&token=ab", now: 0) == .malformed)
        #expect(signer.verify(app: "app", stream: "live", rawName: "live?expires=1&token=\(String(repeating: "z", count: 64))", now: 0) == .malformed)
        // Other parameters and upper-case hex are fine.
        #expect(signer.verify(app: "app", stream: "live", rawName: "live?a=b&\(query.uppercased().replacingOccurrences(of: "EXPIRES", with: "expires").replacingOccurrences(of: "TOKEN", with: "token"))", now: 5) == .valid)
    }

    @Test func secretFileIsTrimmed() {
        #expect(PlayTokenSigner(secretFileContents: "  \n") == nil)
        let fromFile = PlayTokenSigner(secretFileContents: "s3cret\n")
        #expect(fromFile?.token(app: "a", stream: "b", expires: 1) == signer.token(app: "a", stream: "b", expires: 1))
    }
}

@Suite struct PublishKeysTests {
    @Test func parsesNamesWildcardAndComments() throws {
        let keys = try PublishKeys(parsing: """
            # publishers
            livestream  key-for-live-1   # OBS
            *\tmaster-key-0001

            """)
        #expect(keys.count == 2)
        #expect(keys.allows(stream: "livestream", key: "key-for-live-1"))
        #expect(keys.allows(stream: "other", key: "master-key-0001"))
        #expect(!keys.allows(stream: "other", key: "key-for-live-1"))
        #expect(!keys.allows(stream: "livestream", key: nil))
        #expect(!keys.allows(stream: "livestream", key: "wrong-key-123"))
    }

    @Test func reportsBadLinesWithNumbers() {
        #expect(throws: PublishKeys.ParseError.self) { try PublishKeys(parsing: "a b c\n") }
        do throws(PublishKeys.ParseError) {
            _ = try PublishKeys(parsing: "ok goodkey123\nonlyname\n../x key12345678\nlive \(String(repeating: "k", count: 257))\nlive a&b12345678\nlive short\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.errors.map(\.line) == [2, 3, 4, 5])
        }
    }

    @Test func presentedKeyFromNameOrConnectURL() {
        #expect(PublishKeys.presentedKey(publishName: "live?key=abc", app: "app", tcUrl: nil) == "abc")
        #expect(PublishKeys.presentedKey(publishName: "live", app: "app?key=def", tcUrl: nil) == "def")
        #expect(PublishKeys.presentedKey(publishName: "live", app: "app", tcUrl: "rtmp://h/app?key=ghi") == "ghi")
        #expect(PublishKeys.presentedKey(publishName: "live?x=1&key=k2", app: "app?key=def", tcUrl: nil) == "k2")
        #expect(PublishKeys.presentedKey(publishName: "live?key=", app: "app", tcUrl: nil) == nil)
        #expect(PublishKeys.presentedKey(publishName: "live", app: "app", tcUrl: nil) == nil)
    }
}
