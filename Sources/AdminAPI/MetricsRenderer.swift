import Foundation

/// `GET /metrics`: the node's state as Prometheus text.
enum MetricsRenderer {
    static func render(_ state: NodeState) -> String {
        var text = PrometheusText()
        text.family("lsc_up", type: "gauge", help: "1 while lsc-control runs.")
        text.sample(1, labels: [("role", state.role)])
        text.family("lsc_uptime_seconds", type: "gauge", help: "Seconds since lsc-control started.")
        text.sample(max(0, state.now.timeIntervalSince(state.controlStartedAt)))
        text.family("lsc_data_plane_up", type: "gauge", help: "1 while the control link to lsc-relay is up.")
        text.sample(state.linkUp ? 1 : 0)
        text.family("lsc_api_requests_total", type: "counter", help: "Admin API responses by HTTP status.")
        for (status, count) in state.apiRequests.sorted(by: { $0.key < $1.key }) {
            text.sample(count, labels: [("status", String(status))])
        }
        guard state.linkUp, let snapshot = state.snapshot else { return text.text }
        text.family("lsc_streams", type: "gauge", help: "Streams on the data plane.")
        text.sample(snapshot.streams.count)
        text.family("lsc_players", type: "gauge", help: "Connected players.")
        text.sample(snapshot.clientCounts["player"] ?? 0)
        text.family("lsc_publishers", type: "gauge", help: "Connected publishers.")
        text.sample(snapshot.clientCounts["publisher"] ?? 0)
        text.family("lsc_clients", type: "gauge", help: "RTMP connections by kind.")
        for (kind, count) in snapshot.clientCounts.sorted(by: { $0.key < $1.key }) where count > 0 {
            text.sample(count, labels: [("kind", kind)])
        }
        text.family("lsc_bytes_in_total", type: "counter", help: "Bytes received by the data plane.")
        text.sample(snapshot.counters.bytesIn)
        text.family("lsc_bytes_out_total", type: "counter", help: "Bytes sent by the data plane.")
        text.sample(snapshot.counters.bytesOut)
        text.family("lsc_connections_refused_total", type: "counter", help: "Connections refused, by reason.")
        for (reason, count) in snapshot.counters.connectionsRefused.sorted(by: { $0.key < $1.key }) {
            text.sample(count, labels: [("reason", reason)])
        }
        text.family("lsc_connections_dropped_total", type: "counter", help: "Connections closed by the relay, by reason.")
        for (reason, count) in snapshot.counters.connectionsDropped.sorted(by: { $0.key < $1.key }) {
            text.sample(count, labels: [("reason", reason)])
        }
        text.family("lsc_stream_players", type: "gauge", help: "Players per stream.")
        for stream in snapshot.streams { text.sample(stream.players, labels: [("stream", stream.name)]) }
        text.family("lsc_stream_http_viewers", type: "gauge",
                    help: "HTTP viewers per stream: HTTP-FLV/fMP4 connections and HLS client connections active in the last 10 s.")
        for stream in snapshot.streams { text.sample(stream.httpViewers ?? 0, labels: [("stream", stream.name)]) }
        text.family("lsc_stream_bitrate_in_bits_per_second", type: "gauge", help: "Incoming bitrate per stream over 10 s.")
        for stream in snapshot.streams { text.sample(stream.bitrateIn, labels: [("stream", stream.name)]) }
        text.family("lsc_stream_bitrate_out_bits_per_second", type: "gauge", help: "Outgoing bitrate per stream over 10 s.")
        for stream in snapshot.streams { text.sample(stream.bitrateOut, labels: [("stream", stream.name)]) }
        return text.text
    }
}
