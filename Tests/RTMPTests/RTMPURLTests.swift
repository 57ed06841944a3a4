import RTMP
import Testing

@Suite struct RTMPURLTests {
    @Test func splitsHostPortAppAndStream() throws {
        let url = try #require(RTMPURL("rtmp://127.0.0.1:19400/livestreamcast_origin/live"))
        #expect(url.host == "127.0.0.1")
        #expect(url.port == 19400)
        #expect(url.app == "livestreamcast_origin")
        #expect(url.stream == "live")
        #expect(url.tcUrl == "rtmp://127.0.0.1:19400/livestreamcast_origin")
    }

    @Test func defaultPortAndInstance() throws {
        let url = try #require(RTMPURL("rtmp://example.org/app/_definst_/mp4:live.f4v"))
        #expect(url.port == 1935)
        #expect(url.app == "app/_definst_")
        #expect(url.stream == "mp4:live.f4v")
    }

    @Test(arguments: ["http://h/app/s", "rtmp://h", "rtmp://h/app", "rtmp://h/app/", "rtmp://h//s"])
    func rejectsIncompleteURLs(text: String) {
        #expect(RTMPURL(text) == nil)
    }

    @Test func publishCommandsCarryTheName() {
        #expect(RTMPCommand(ClientRequests.publish("live")) == .publish(transactionID: 0, name: "live", type: "live"))
        #expect(RTMPCommand(ClientRequests.releaseStream("live", transactionID: 2)) == .releaseStream(transactionID: 2, name: "live"))
        #expect(RTMPCommand(ClientRequests.fcPublish("live", transactionID: 3)) == .fcPublish(transactionID: 3, name: "live"))
    }
}
