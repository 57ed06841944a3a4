import Foundation
import RTMP
import Testing

/// Players at an intermediate and an edge hear what origin players hear when the publisher stops
/// (`UnpublishNotify`; ffmpeg and rtmpdump then exit) and when it comes back (`PublishNotify`),
/// and the API tells the truth meanwhile.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct EdgeUnpublishLiveTests {
    @Test func playersThroughTwoTiersAreToldWhenTheStreamEndsAndReturns() throws {
        let origin = try TierNode(name: "origin", role: "origin", hostINI: nil, relayExtra: [], controlExtra: [])
        defer { origin.stop() }
        var publisher = try RelayFixtures.startPublisher(url: origin.url(), seconds: 120)
        defer { publisher.stop() }
        try RelayFixtures.waitForStream(url: origin.url())
        let intermediate = try TierNode(name: "intermediate", role: "intermediate", hostINI: [TierNode.group("origins", origin)],
                                        relayExtra: [], controlExtra: [])
        defer { intermediate.stop() }
        let edge = try TierNode(name: "edge", role: "edge", hostINI: [TierNode.group("intermediates", intermediate)],
                                relayExtra: ["--pull-timeout", "3"], controlExtra: [])
        defer { edge.stop() }
        try RelayFixtures.waitForStream(url: edge.url(), timeout: 40)

        let directory = TestDirectory.make("edge-unpublish")
        let ffmpegPlayer = try TestProcess("ffmpeg", ["-v", "error", "-y", "-rw_timeout", "60000000", "-i", edge.url(), "-c", "copy",
                                                      "-f", "flv", directory.appendingPathComponent("ffmpeg.flv").path], name: "ffmpeg-edge-player")
        defer { ffmpegPlayer.stop() }
        let rtmpdump = try TestProcess("rtmpdump", ["--live", "-q", "-r", edge.url(), "-o", directory.appendingPathComponent("dump.flv").path],
                                       name: "rtmpdump-edge-player")
        defer { rtmpdump.stop() }
        let midPlayer = try TestProcess("ffmpeg", ["-v", "error", "-y", "-rw_timeout", "60000000", "-i", intermediate.url(), "-c", "copy",
                                                   "-f", "flv", directory.appendingPathComponent("mid.flv").path], name: "ffmpeg-mid-player")
        defer { midPlayer.stop() }
        // A Flash-style player that stays attached and records every status.
        let watcher = try RTMPTestPlayer(port: edge.rtmpPort, app: edge.app)
        watcher.play("livestream")
        #expect(watcher.read(timeout: 20) { messages in messages.contains { $0.typeID == 9 } }, "media at the edge")
        try waitUntil("three players at the edge", timeout: 20) { try edge.stream()?["players"] as? Int == 3 }

        publisher.stop()
        #expect(ffmpegPlayer.waitForExit(timeout: 20), "ffmpeg at the edge exits on UnpublishNotify")
        #expect(rtmpdump.waitForExit(timeout: 20), "rtmpdump at the edge exits on UnpublishNotify")
        #expect(midPlayer.waitForExit(timeout: 20), "ffmpeg at the intermediate exits on UnpublishNotify")
        #expect(watcher.read(timeout: 10) { RTMPTestPlayer.statusCodes($0).contains(StatusCode.playUnpublishNotify) })
        try waitUntil("the edge reports the stream idle", timeout: 10) { (try edge.stream()?["state"] as? String) != "live" }
        // Nobody brings it back within --pull-timeout: the waiting player hears StreamNotFound.
        #expect(watcher.read(timeout: 15) { RTMPTestPlayer.statusCodes($0).contains(StatusCode.playStreamNotFound) },
                "\(RTMPTestPlayer.statusCodes(watcher.messages))")

        // The publisher returns: PublishNotify and media again at the edge, timestamps still rising.
        let before = watcher.messages.count
        publisher = try RelayFixtures.startPublisher(url: origin.url(), seconds: 60, name: "ffmpeg-publisher-again")
        let resumed = watcher.read(timeout: 40) { messages in
            let later = messages.dropFirst(before)
            return RTMPTestPlayer.statusCodes(later).contains(StatusCode.playPublishNotify) && later.contains { $0.typeID == 9 }
        }
        #expect(resumed, "\(RTMPTestPlayer.statusCodes(watcher.messages))")
        try waitUntil("the edge reports the stream live", timeout: 10) { (try edge.stream()?["state"] as? String) == "live" }
        let media = watcher.messages.filter { $0.typeID == 9 }.map(\.timestamp)
        #expect(zip(media, media.dropFirst()).allSatisfy { $0 <= $1 }, "video timestamps keep rising for an attached player")
    }
}
