import ArgumentParser
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RTMP

/// `lsc-loadclient`: attaches many lightweight RTMP players to one stream and reports what they
/// received, as JSON. Used by the fan-out benchmark and by the live tests.
@main
struct LoadClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsc-loadclient", abstract: "Attach N RTMP players to a live stream and report what they got (JSON).")

    @Argument(help: "rtmp://HOST:PORT/APP/STREAM")
    var url: String

    @Option(help: "Number of players.")
    var players: Int = 1

    @Option(help: "Seconds to play before reporting.")
    var duration: Double = 10

    @Option(help: "Seconds over which players connect.")
    var rampUp: Double = 0

    @Option(help: "Event loop threads.")
    var threads: Int = 1

    func run() async throws {
        guard let target = RTMPURL(url) else { throw ValidationError("expected rtmp://HOST[:PORT]/APP/STREAM, got \(url)") }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let reports = (0..<players).map { _ in NIOLockedValueBox(PlayerReport()) }
        let start = NIODeadline.now()
        for (index, report) in reports.enumerated() {
            if rampUp > 0, players > 1 {
                let due = start + .milliseconds(Int64(rampUp * 1000 * Double(index) / Double(players)))
                let wait = due - .now()
                if wait > .zero { try await Task.sleep(nanoseconds: UInt64(wait.nanoseconds)) }
            }
            let bootstrap = ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(5))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            PlayerClient(app: target.app, tcUrl: target.tcUrl, streamName: target.stream, report: report))
                    }
                }
            bootstrap.connect(host: target.host, port: target.port).whenFailure { error in
                report.withLockedValue { $0.error = "connect: \(error)"; $0.closed = true }
            }
        }
        let remaining = start + .milliseconds(Int64((duration + rampUp) * 1000)) - .now()
        if remaining > .zero { try await Task.sleep(nanoseconds: UInt64(remaining.nanoseconds)) }
        let end = NIODeadline.now()
        let final = reports.map { $0.withLockedValue { $0 } }
        try await group.shutdownGracefully()
        print(Summary(final, end: end).json)
    }
}

/// Aggregate of all player reports.
struct Summary {
    var fields: [(String, Any)] = []

    init(_ reports: [PlayerReport], end: NIODeadline) {
        // A player kept up when its media covered at least 90% of the wall time since its first
        // media message and its last message is recent (within 2 s of the end).
        let keptUp = reports.filter { report in
            guard let first = report.firstMediaAt, let last = report.lastMediaAt,
                  let t0 = report.firstTimestamp, let t1 = report.lastTimestamp else { return false }
            let wall = Double((end - first).nanoseconds) / 1e6
            let media = Double(t1 &- t0)
            return (end - last) < .seconds(2) && (wall < 1000 || media >= 0.9 * (wall - 1000))
        }.count
        fields = [
            ("players", reports.count),
            ("connected", reports.filter(\.connected).count),
            ("stillOpen", reports.filter { !$0.closed }.count),
            ("keptUp", keptUp),
            ("bytes", reports.reduce(0) { $0 + $1.bytes }),
            ("videoFrames", reports.reduce(0) { $0 + $1.videoFrames }),
            ("audioFrames", reports.reduce(0) { $0 + $1.audioFrames }),
            ("playersWithVideo", reports.filter { $0.videoFrames > 0 }.count),
            ("firstVideoKeyframe", reports.allSatisfy { $0.firstVideoWasKeyframe ?? true }),
            ("nonMonotonic", reports.reduce(0) { $0 + $1.nonMonotonic }),
            ("maxGapMilliseconds", reports.map(\.maxGapMilliseconds).max() ?? 0),
            ("statuses", Array(Set(reports.flatMap(\.statuses))).sorted()),
            ("statusSequence", reports.first?.statuses ?? []),
            ("errors", Array(Set(reports.compactMap(\.error))).sorted()),
        ]
    }

    var json: String {
        let object = Dictionary(uniqueKeysWithValues: fields.map { ($0.0, $0.1) })
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
