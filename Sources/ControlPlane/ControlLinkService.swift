import ControlLink
import ServiceLifecycle

/// Runs the control link's reconnect loop until graceful shutdown.
struct ControlLinkService: Service {
    let client: ControlLinkClient

    func run() async throws {
        await cancelWhenGracefulShutdown { await client.run() }
    }
}
