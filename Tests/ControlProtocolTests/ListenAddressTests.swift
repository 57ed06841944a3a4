import ControlProtocol
import Testing

@Suite struct ListenAddressTests {
    @Test func emptyHostTakesTheDefaultOnlyWhenOneIsGiven() {
        #expect(ListenAddress(parsing: ":1935", defaultHost: "0.0.0.0") == ListenAddress(host: "0.0.0.0", port: 1935))
        #expect(ListenAddress(parsing: ":8080") == nil)
        #expect(ListenAddress(parsing: "[::1]:1935")?.description == "[::1]:1935")
        #expect(ListenAddress(parsing: "::1:1935") == nil)
        #expect(ListenAddress(parsing: "127.0.0.1:70000") == nil)
    }
}
