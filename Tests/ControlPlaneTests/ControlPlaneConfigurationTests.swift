import ControlProtocol
import AdminAPI
import ControlPlane
import Testing

@Suite struct ControlPlaneConfigurationTests {
    @Test func listenAddressesParse() {
        #expect(ListenAddress(parsing: "127.0.0.1:8080") == ListenAddress(parsing: "127.0.0.1:8080"))
        #expect(ListenAddress(parsing: "127.0.0.1:8080")?.port == 8080)
        #expect(ListenAddress(parsing: "[::1]:9000")?.host == "::1")
        #expect(ListenAddress(parsing: "[::1]:9000")?.description == "[::1]:9000")
        for bad in ["", "8080", "host:", ":80", "1.2.3.4:99999", "::1:80", "[::1]80", "a:b"] {
            #expect(ListenAddress(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func nonLoopbackNeedsAToken() throws {
        let open = try #require(ListenAddress(parsing: "0.0.0.0:8080"))
        let loopback = try #require(ListenAddress(parsing: "127.0.0.1:8080"))
        #expect(throws: ControlPlaneError.self) {
            try ControlPlaneConfiguration(http: open, controlSocket: "x.sock").validate()
        }
        try ControlPlaneConfiguration(http: open, token: BearerToken("t"), controlSocket: "x.sock").validate()
        try ControlPlaneConfiguration(http: loopback, controlSocket: "x.sock").validate()
        #expect(ListenAddress(parsing: "[::1]:1")?.isLoopback == true)
        #expect(open.isLoopback == false)
    }
}
