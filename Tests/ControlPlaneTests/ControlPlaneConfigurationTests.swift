import AdminAPI
import ControlPlane
import Testing

@Suite struct ControlPlaneConfigurationTests {
    @Test func listenAddressesParse() {
        #expect(HTTPListenAddress(parsing: "127.0.0.1:8080") == HTTPListenAddress(parsing: "127.0.0.1:8080"))
        #expect(HTTPListenAddress(parsing: "127.0.0.1:8080")?.port == 8080)
        #expect(HTTPListenAddress(parsing: "[::1]:9000")?.host == "::1")
        #expect(HTTPListenAddress(parsing: "[::1]:9000")?.description == "[::1]:9000")
        for bad in ["", "8080", "host:", ":80", "1.2.3.4:99999", "::1:80", "[::1]80", "a:b"] {
            #expect(HTTPListenAddress(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func nonLoopbackNeedsAToken() throws {
        let open = try #require(HTTPListenAddress(parsing: "0.0.0.0:8080"))
        let loopback = try #require(HTTPListenAddress(parsing: "127.0.0.1:8080"))
        #expect(throws: ControlPlaneError.self) {
            try ControlPlaneConfiguration(http: open, controlSocket: "x.sock").validate()
        }
        try ControlPlaneConfiguration(http: open, token: BearerToken("t"), controlSocket: "x.sock").validate()
        try ControlPlaneConfiguration(http: loopback, controlSocket: "x.sock").validate()
        #expect(HTTPListenAddress(parsing: "[::1]:1")?.isLoopback == true)
        #expect(open.isLoopback == false)
    }
}
