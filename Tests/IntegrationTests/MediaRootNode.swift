import Foundation

/// A node (lsc-relay + lsc-control) sharing one media root, for the live tests of media on disk.
struct MediaRootNode {
    let relay: TestProcess
    let rtmpPort: Int
    let control: TestProcess
    /// `http://127.0.0.1:<port>/api/v1`
    let api: String

    /// Starts both with `--media media`, their control socket in `directory`.
    static func start(media: URL, directory: URL) throws -> MediaRootNode {
        let socket = directory.appendingPathComponent("c.sock").path
        let (relay, rtmpPort) = try RelayFixtures.startRelay(extra: ["--media", media.path, "--control-socket", socket])
        let httpPort = FreePort.next()
        do {
            let control = try ControlAPILiveTests.startControl(socket: socket, httpPort: httpPort, extra: ["--media", media.path])
            return MediaRootNode(relay: relay, rtmpPort: rtmpPort, control: control, api: "http://127.0.0.1:\(httpPort)/api/v1")
        } catch {
            relay.stop()
            throw error
        }
    }

    func stop() {
        control.stop()
        relay.stop()
    }
}
