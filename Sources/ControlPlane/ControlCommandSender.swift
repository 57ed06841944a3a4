import ControlLink
import ControlProtocol

/// Sends one command to the data plane and waits for its reply. `ControlLinkClient` is the real
/// one; tests use a fake that records what was sent.
public protocol ControlCommandSender: Sendable {
    /// The data plane's reply; `ok == false` with `errorCode` "link-down" or "timeout" when it
    /// could not answer.
    func send(_ command: ControlCommand) async -> CommandReply
}

extension ControlLinkClient: ControlCommandSender {}
