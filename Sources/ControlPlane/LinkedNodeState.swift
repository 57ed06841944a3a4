import AdminAPI
import ControlLink
import ControlProtocol
import Dispatch
import Foundation
import Synchronization

/// The admin API's view of the node, read from the control link.
final class LinkedNodeState: NodeStateProvider {
    let link: ControlLinkClient
    let role: String
    let httpListen: String
    let startedAt: Date
    let requests: APIRequestCounter

    init(link: ControlLinkClient, role: String, httpListen: String, startedAt: Date, requests: APIRequestCounter) {
        self.link = link; self.role = role; self.httpListen = httpListen; self.startedAt = startedAt; self.requests = requests
    }

    func state() -> NodeState {
        let linkState = link.state
        return NodeState(role: role, httpListen: httpListen, controlStartedAt: startedAt, now: Date(),
                         linkUp: linkState.connected, hello: linkState.hello, snapshot: linkState.snapshot,
                         snapshotGeneration: linkState.generation, apiRequests: requests.snapshot)
    }

    func disconnectClient(id: String) -> CommandOutcome? { execute(.disconnectClient(id: id)) }

    /// Sends `command` to the data plane and waits for its outcome; nil when the link is down or
    /// the data plane did not answer in time.
    func execute(_ command: ControlCommand) -> CommandOutcome? {
        // Called on an HTTP server thread, which waits here for the data plane's reply (bounded
        // by the link's command timeout).
        let reply = Mutex<CommandReply?>(nil)
        let done = DispatchSemaphore(value: 0)
        let link = self.link
        Task {
            let answer = await link.send(command)
            reply.withLock { $0 = answer }
            done.signal()
        }
        done.wait()
        guard let answer = reply.withLock({ $0 }) else { return nil }
        if answer.ok { return .ok(message: answer.message) }
        switch answer.errorCode {
        case "link-down", "timeout": return nil
        case let code: return .failed(code: code ?? "failed", message: answer.message ?? "the data plane refused the command")
        }
    }
}
