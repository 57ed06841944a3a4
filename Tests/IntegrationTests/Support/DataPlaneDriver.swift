import ControlLink
import ControlProtocol
import Foundation
import NIOConcurrencyHelpers
import NIOPosix

/// Talks to a relay's control socket the way `lsc-control` does, so that a live test can drive
/// the data plane's upstream side command by command and watch its events.
final class DataPlaneDriver: @unchecked Sendable {
    let client: ControlLinkClient
    private let seen = NIOLockedValueBox<[DataPlaneEvent]>([])
    private var tasks: [Task<Void, Never>] = []

    init(socket: String) {
        client = ControlLinkClient(path: socket, group: MultiThreadedEventLoopGroup.singleton,
                                   hello: Hello(softwareVersion: "test", role: "edge", startedAt: Date()))
        let events = client.subscribe()
        let client = self.client
        tasks.append(Task { await client.run() })
        tasks.append(Task { [seen] in
            for await event in events { if case .event(let event) = event { seen.withLockedValue { $0.append(event) } } }
        })
    }

    var events: [DataPlaneEvent] { seen.withLockedValue { $0 } }

    /// Sends `command` and fails unless the data plane says ok.
    func send(_ command: ControlCommand) throws {
        let reply = NIOLockedValueBox<CommandReply?>(nil)
        let client = self.client
        Task { let answer = await client.send(command); reply.withLockedValue { $0 = answer } }
        try waitUntil("reply to \(command)", timeout: 10) { reply.withLockedValue { $0 } != nil }
        guard let answer = reply.withLockedValue({ $0 }), answer.ok else {
            throw ToolError.missing("ok for \(command): \(String(describing: reply.withLockedValue { $0 }))")
        }
    }

    func waitFor(_ what: String, timeout: TimeInterval = 15, _ match: (DataPlaneEvent) -> Bool) throws {
        try waitUntil(what, timeout: timeout) { events.contains(where: match) }
    }

    func waitForLink() throws {
        try waitUntil("control link up", timeout: 15) { client.state.connected }
    }

    deinit { tasks.forEach { $0.cancel() } }
}
