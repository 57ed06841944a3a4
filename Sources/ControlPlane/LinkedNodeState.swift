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

    func clientList() -> Result<[ClientSnapshot], APIError> {
        let linkState = link.state
        // A protocol-1 data plane knows no `listClients`: its snapshots carry the list.
        if let hello = linkState.hello, hello.protocolVersion < ControlProtocolVersion.clientListOnDemand {
            return .success(linkState.snapshot?.legacyClients ?? [])
        }
        let link = self.link
        let reply = wait { await link.listClients() }
        guard reply.ok else {
            let message = switch reply.errorCode {
            case "link-down": APIError.dataPlaneUnavailable.message
            case "timeout": "the data plane (lsc-relay) did not send its client list in time"
            default: "the data plane (lsc-relay) did not send its client list: \(reply.message ?? reply.errorCode ?? "failed")"
            }
            return .failure(.dataPlaneDidNotAnswer(message))
        }
        return .success(reply.clients ?? [])
    }

    /// Sends `command` to the data plane and waits for its outcome; nil when the link is down or
    /// the data plane did not answer in time.
    func execute(_ command: ControlCommand) -> CommandOutcome? {
        let link = self.link
        let answer = wait { await link.send(command) }
        if answer.ok { return .ok(message: answer.message) }
        switch answer.errorCode {
        case "link-down", "timeout": return nil
        case let code: return .failed(code: code ?? "failed", message: answer.message ?? "the data plane refused the command")
        }
    }

    /// Runs `request` and blocks until its reply. Called on an HTTP server thread, which waits
    /// here for the data plane (bounded by the link's command timeout).
    private func wait(_ request: @escaping @Sendable () async -> CommandReply) -> CommandReply {
        let reply = Mutex<CommandReply?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let answer = await request()
            reply.withLock { $0 = answer }
            done.signal()
        }
        done.wait()
        return reply.withLock { $0 } ?? CommandReply(id: 0, ok: false, errorCode: "link-down")
    }
}
