import DataPlane
import PlayAuthorization
import Testing

/// Secure by default: which configurations must refuse to start.
@Suite struct PublishPolicyTests {
    @Test func anOpenOriginOnAPublicAddressIsRefused() throws {
        for host in ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"] {
            #expect(RelayConfiguration(role: .origin, host: host).publishPolicyProblem == nil, "\(host)")
        }
        for host in ["0.0.0.0", "::", "10.0.0.1", "192.168.1.5"] {
            #expect(RelayConfiguration(role: .origin, host: host).publishPolicyProblem != nil, "\(host)")
            var open = RelayConfiguration(role: .origin, host: host)
            open.publishOpen = true
            #expect(open.publishPolicyProblem == nil)
            var keyed = RelayConfiguration(role: .origin, host: host)
            keyed.publishKeys = try PublishKeys(parsing: "live key-1\n")
            #expect(keyed.publishPolicyProblem == nil)
        }
        #expect(RelayConfiguration(role: .edge, host: "0.0.0.0").publishPolicyProblem == nil)
    }

    @Test func accessPolicyAllowsByKeysOrOpen() throws {
        let open = AccessPolicy(publishKeys: nil, publishKeysPath: nil, playSigner: nil)
        #expect(open.mayPublish(stream: "x", key: nil))
        let keyed = AccessPolicy(publishKeys: try PublishKeys(parsing: "live key-1\n"), publishKeysPath: nil, playSigner: nil)
        #expect(keyed.requiresPublishKey)
        #expect(keyed.mayPublish(stream: "live", key: "key-1"))
        #expect(!keyed.mayPublish(stream: "live", key: nil))
        #expect(!keyed.mayPublish(stream: "other", key: "key-1"))
    }
}
