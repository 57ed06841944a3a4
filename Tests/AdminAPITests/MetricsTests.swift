import AdminAPI
import Foundation
import Testing

@Suite struct MetricsTests {
    @Test func metricsAreValidExpositionWithoutDuplicates() throws {
        let router = AdminRouter(environment: APIEnvironment(node: FakeNode()), token: nil)
        let response = router.handle(APIRequest(method: "GET", path: "/metrics"))
        #expect(response.status == 200)
        #expect(response.contentType.hasPrefix("text/plain"))
        let text = try #require(String(bytes: response.body, encoding: .utf8))
        var typed: Set<String> = []
        var series: Set<String> = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let name = String(line.split(separator: " ")[2])
                #expect(typed.insert(name).inserted, "family \(name) typed twice")
            } else if !line.hasPrefix("#") {
                let key = String(line[..<(line.lastIndex(of: " ") ?? line.endIndex)])
                #expect(series.insert(key).inserted, "series \(key) twice")
                let family = String(key.prefix { $0 != "{" })
                #expect(typed.contains(family), "\(family) has no # TYPE")
            }
        }
        #expect(text.contains("lsc_streams 1\n"))
        #expect(text.contains("lsc_connections_dropped_total{reason=\"slow-player\"} 2\n"))
        #expect(text.contains("lsc_stream_players{stream=\"cam 1\"} 2\n"))
        #expect(text.contains("lsc_api_requests_total{status=\"404\"} 1\n"))
    }

    /// The client gauges come from the snapshot's counts by kind, with the names, values and
    /// order they had when they were counted from its list; the list is never asked for.
    @Test func clientGaugesComeFromTheCountsByKind() throws {
        var snapshot = FakeNode.sampleSnapshot
        snapshot.clientCounts = ["player": 2000, "publisher": 1, "child": 2, "connecting": 3]
        let node = FakeNode(snapshot: snapshot)
        let router = AdminRouter(environment: APIEnvironment(node: node), token: nil)
        let text = String(decoding: router.handle(APIRequest(method: "GET", path: "/metrics")).body, as: UTF8.self)
        #expect(text.contains("# TYPE lsc_players gauge\nlsc_players 2000\n"))
        #expect(text.contains("# TYPE lsc_publishers gauge\nlsc_publishers 1\n"))
        #expect(text.contains("# TYPE lsc_clients gauge\nlsc_clients{kind=\"child\"} 2\nlsc_clients{kind=\"connecting\"} 3\n"
            + "lsc_clients{kind=\"player\"} 2000\nlsc_clients{kind=\"publisher\"} 1\n# HELP lsc_bytes_in_total"))
        #expect(node.listRequests.withLock { $0 } == 0)

        snapshot.clientCounts = [:]
        let empty = String(decoding: AdminRouter(environment: APIEnvironment(node: FakeNode(snapshot: snapshot)), token: nil)
            .handle(APIRequest(method: "GET", path: "/metrics")).body, as: UTF8.self)
        #expect(empty.contains("lsc_players 0\n") && empty.contains("lsc_publishers 0\n"))
        #expect(empty.contains("# TYPE lsc_clients gauge\n# HELP lsc_bytes_in_total"))
    }

    @Test func builderDropsRepeatedFamiliesAndSeriesAndEscapesLabels() {
        var text = PrometheusText()
        text.family("a", type: "gauge", help: "A.")
        text.sample(1, labels: [("k", "x\"y\\z\n")])
        text.sample(2, labels: [("k", "x\"y\\z\n")])
        text.family("a", type: "gauge", help: "again")
        text.sample(3)
        text.family("b", type: "counter", help: "B.")
        text.sample(0.5)
        #expect(text.text == "# HELP a A.\n# TYPE a gauge\na{k=\"x\\\"y\\\\z\\n\"} 1\n# HELP b B.\n# TYPE b counter\nb 0.5\n")
    }
}
