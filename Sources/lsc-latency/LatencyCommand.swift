import ArgumentParser
import Foundation
import LatencyProbe
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RTMP

/// `lsc-latency`: publishes a synthetic stream whose frames carry their send time, plays it back
/// (through any chain of relays) with N players in the same process, and prints latency
/// percentiles as JSON. Either side can run alone (publish-only feeds a relay; play-only watches
/// arrival gaps, e.g. across a failover).
@main
struct LatencyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsc-latency",
        abstract: "Measure publisher-to-player latency through RTMP relays (JSON report).")

    @Option(help: "rtmp://HOST:PORT/APP/STREAM to publish the synthetic stream to.")
    var publish: String?

    @Option(help: "rtmp://HOST:PORT/APP/STREAM to play.")
    var play: String?

    @Option(help: "Number of players.")
    var players: Int = 1

    @Option(help: "Seconds to run before reporting.")
    var duration: Double = 10

    @Option(help: "Seconds between publishing and the first play (lets a relay chain see the stream).")
    var playDelay: Double = 0.5

    @Option(help: "Seconds after a player's first frame whose samples are left out (GOP cache, pull start-up).")
    var warmup: Double = 2

    @Option(help: "Frames per second.")
    var fps: Int = 25

    @Option(help: "A keyframe every this many frames.")
    var keyframeInterval: Int = 25

    @Option(help: "Print JSON lines on standard error: every arrival gap and every frame latency of at least this many ms (0: no events), statuses, closes, and each player's frame count every second.")
    var gapEventsMs: Double = 0

    func validate() throws {
        guard publish != nil || play != nil else { throw ValidationError("give --publish, --play or both") }
        for text in [publish, play].compactMap({ $0 }) where RTMPURL(text) == nil {
            throw ValidationError("expected rtmp://HOST[:PORT]/APP/STREAM, got \(text)")
        }
        guard (1...10_000).contains(players) else { throw ValidationError("--players must be 1...10000") }
        guard duration > 0, duration <= 86_400 else { throw ValidationError("--duration must be in (0, 86400] s") }
        guard (1...240).contains(fps), keyframeInterval >= 1 else { throw ValidationError("--fps must be 1...240, --keyframe-interval >= 1") }
    }

    func run() async throws {
        let events = ProbeEventLog(gapThresholdNanoseconds: UInt64(max(0, gapEventsMs) * 1_000_000), enabled: gapEventsMs > 0)
        // The publisher and the players get a thread each so that neither delays the other's clock reads.
        let publisherGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let playerGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let start = NIODeadline.now()

        var publisherState: NIOLockedValueBox<ProbeConnectionState>?
        if let publish, let url = RTMPURL(publish) {
            let state = NIOLockedValueBox(ProbeConnectionState())
            publisherState = state
            connect(url, role: .publisher(SyntheticAVCStream(framesPerSecond: fps, keyframeInterval: keyframeInterval)),
                    state: state, events: events, label: "publisher", group: publisherGroup)
        }
        var recorders: [NIOLockedValueBox<LatencyRecorder>] = []
        var playerStates: [NIOLockedValueBox<ProbeConnectionState>] = []
        if let play, let url = RTMPURL(play) {
            if publish != nil, playDelay > 0 { try await Task.sleep(nanoseconds: UInt64(playDelay * 1e9)) }
            for index in 0..<players {
                let recorder = NIOLockedValueBox(LatencyRecorder(warmupNanoseconds: UInt64(max(0, warmup) * 1e9)))
                let state = NIOLockedValueBox(ProbeConnectionState())
                recorders.append(recorder)
                playerStates.append(state)
                connect(url, role: .player(recorder), state: state, events: events, label: "player\(index)", group: playerGroup)
            }
        }
        // SIGTERM ends the run early with the report, so a script can stop a long-running probe.
        let terminated = NIOLockedValueBox(false)
        signal(SIGTERM, SIG_IGN)
        let termination = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
        termination.setEventHandler { terminated.withLockedValue { $0 = true } }
        termination.resume()
        let end = start + .nanoseconds(Int64(duration * 1e9))
        var lastProgress = NIODeadline.now()
        for _ in 0..<(Int(duration * 5) + 10) {
            let left = end - .now()
            guard left > .zero, !terminated.withLockedValue({ $0 }) else { break }
            try await Task.sleep(nanoseconds: UInt64(min(left, .milliseconds(200)).nanoseconds))
            if NIODeadline.now() - lastProgress >= .seconds(1) {
                lastProgress = .now()
                events.progress(recorders)
            }
        }
        termination.cancel()

        var summary = LatencySummary(recorders.map { $0.withLockedValue { $0 } })
        let states = playerStates.map { $0.withLockedValue { $0 } }
        let publisher = publisherState?.withLockedValue { $0 }
        try await publisherGroup.shutdownGracefully()
        try await playerGroup.shutdownGracefully()
        summary.playersStillOpen = states.filter { !$0.closed }.count
        summary.statuses = Array(Set(states.flatMap(\.statuses))).sorted()
        summary.errors = Array(Set(states.compactMap(\.error) + [publisher?.error].compactMap { $0 })).sorted()
        summary.publisherStarted = publisher?.mediaStarted
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(summary), as: UTF8.self))
    }

    private func connect(_ url: RTMPURL, role: ProbeRole, state: NIOLockedValueBox<ProbeConnectionState>, events: ProbeEventLog,
                         label: String, group: MultiThreadedEventLoopGroup) {
        ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ProbeClient(url: url, role: role, state: state, events: events, label: label))
                }
            }
            .connect(host: url.host, port: url.port)
            .whenFailure { error in
                state.withLockedValue { $0.error = "connect: \(error)"; $0.closed = true }
                events.emit(["event": "error", "connection": label, "error": "connect: \(error)"])
            }
    }
}
