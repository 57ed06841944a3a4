import ControlProtocol
import FLV
import Foundation
import NIOCore
import Recording
import Testing
@testable import DataPlane

/// The local file system with every append slowed down (a disk that cannot keep up).
struct SlowFileSystem: DVRFileSystem {
    let base = LocalDVRFileSystem()
    func fileSize(_ path: String) -> UInt64? { base.fileSize(path) }
    func listDirectory(_ path: String) -> [String] { base.listDirectory(path) }
    func createDirectory(_ path: String) throws { try base.createDirectory(path) }
    func readFile(_ path: String, offset: UInt64, length: Int) throws -> ByteBuffer { try base.readFile(path, offset: offset, length: length) }
    func writeFileAtomically(_ path: String, _ bytes: ByteBuffer) throws { try base.writeFileAtomically(path, bytes) }
    func openForAppend(_ path: String) throws -> any DVRAppendFile { SlowAppendFile(file: try base.openForAppend(path)) }
    func truncateFile(_ path: String, to size: UInt64) throws { try base.truncateFile(path, to: size) }
    func removeItem(_ path: String) throws { try base.removeItem(path) }
}

final class SlowAppendFile: DVRAppendFile {
    let file: any DVRAppendFile
    init(file: any DVRAppendFile) { self.file = file }
    func write(_ bytes: ByteBuffer) throws { Thread.sleep(forTimeInterval: 0.005); try file.write(bytes) }
    func sync() throws { try file.sync() }
    func close() throws { try file.close() }
}

@Suite(.serialized) struct DVRRecorderTests {
    private func mediaRoot() -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dvr-recorder-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    private func publish(_ hub: StreamHub, frames: Int) {
        #expect(hub.startPublishing("live", sourceID: "c1", source: StreamSource(kind: "publisher", clientId: "c1")))
        hub.push(StreamHubTests.avcHeader, stream: "live", sourceID: "c1")
        for index in 0..<frames {
            hub.push(index % 25 == 0 ? StreamHubTests.key(UInt32(index * 40)) : StreamHubTests.inter(UInt32(index * 40)), stream: "live", sourceID: "c1")
        }
        hub.stopPublishing("live", sourceID: "c1")
    }

    @Test func recordsPublishedStreamsAndClosesOnShutdown() throws {
        let root = mediaRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let events = EventCollector()
        let hub = StreamHub(events: events, gopCacheLimit: 1 << 20)
        let recorder = DVRRecorder(configuration: .init(mediaRoot: root), hub: hub, events: events)
        publish(hub, frames: 100)
        recorder.shutdown()
        let recording = try #require(DVRStore(files: LocalDVRFileSystem(), mediaRoot: root).recording(stream: "live"))
        #expect(recording.isClosed)
        #expect(recording.endTime == 99 * 40)
        #expect(recording.index.records.filter { $0.kind == .keyframe }.count == 4)
        let states = events.events.withLockedValue { $0 }.compactMap { event -> String? in
            if case .recordingChanged(_, let state) = event { return state } else { return nil }
        }
        #expect(states == ["recording", "stopped"])
    }

    @Test func aSlowDiskDegradesRecordingWithoutBlockingThePublisher() throws {
        let root = mediaRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let events = EventCollector()
        let hub = StreamHub(events: events, gopCacheLimit: 1 << 20)
        let recorder = DVRRecorder(configuration: .init(mediaRoot: root, queueLimit: 64), hub: hub, events: events, files: SlowFileSystem())
        publish(hub, frames: 500)
        recorder.shutdown()
        let states = events.events.withLockedValue { $0 }.compactMap { event -> String? in
            if case .recordingChanged(_, let state) = event { return state } else { return nil }
        }
        #expect(states.contains { $0.hasPrefix("degraded") })
        let recording = try #require(DVRStore(files: LocalDVRFileSystem(), mediaRoot: root).recording(stream: "live"))
        #expect(recording.endTime < 499 * 40 || recording.index.records.count < 500, "frames were dropped, not queued without bound")
    }

    @Test func stopAndStartRecordingPerStream() throws {
        let root = mediaRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let events = EventCollector()
        let hub = StreamHub(events: events, gopCacheLimit: 1 << 20)
        let recorder = DVRRecorder(configuration: .init(mediaRoot: root, recordAll: false), hub: hub, events: events)
        publish(hub, frames: 10)
        #expect(recorder.startRecording("other") == .ok(message: "will record when published"))
        #expect(recorder.startRecording("") != .ok(message: "recording"))
        recorder.shutdown()
        #expect(DVRStore(files: LocalDVRFileSystem(), mediaRoot: root).recordings().isEmpty, "--dvr off records nothing by default")
    }
}
