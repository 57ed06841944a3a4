import ControlLink
import ControlProtocol
import Failover
import Foundation
import Logging
import Synchronization
import Topology

/// Runs the failover state machine against the data plane: turns control-link events into
/// machine inputs and the machine's actions into control commands, sent one at a time in the
/// order the machine produced them; runs the retry timers; feeds failed replies back.
///
///     link up   ─▶ setIdleInterval, resetUpstreams, then a fresh machine (history kept) is started
///     event     ─▶ machine input ─▶ actions ─▶ command queue ─▶ data plane
///     reply not ok (connect) ─▶ connectFailed; (play, pull) ─▶ playFailed
///     link down ─▶ queued commands and timers are dropped; the machine waits, idle, for the link
///
/// Every link change starts a new epoch; work queued or timers started in an older epoch are
/// dropped, so nothing meant for a previous data-plane connection reaches the next one.
public final class FailoverDriver: Sendable {
    private struct State: Sendable {
        var machine: FailoverStateMachine
        /// The groups of the current `host.ini`: a fresh machine starts with them.
        var groups: [ServerGroup]
        var linkUp = false
        var epoch: UInt64 = 0
        var retryTimers: [String: Task<Void, Never>] = [:]
    }

    /// One unit of queued work, tagged with the epoch it belongs to.
    private struct Job: Sendable {
        enum Work: Sendable {
            /// Send `command`; `action` is what it carries out (to feed a failure back).
            case send(ControlCommand, action: FailoverAction?)
            /// Feed `.start` to the machine (queued after `resetUpstreams`, so that the machine
            /// starts once the data plane has closed its old upstream connections).
            case start
        }
        let epoch: UInt64
        let work: Work
    }

    public let configuration: FailoverConfiguration
    private let state: Mutex<State>
    private let sender: any ControlCommandSender
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let jobs: AsyncStream<Job>
    private let queue: AsyncStream<Job>.Continuation

    /// - Parameters:
    ///   - sender: where commands go (the control link).
    ///   - now: the clock stamped on failover records.
    public init(groups: [ServerGroup], configuration: FailoverConfiguration, sender: any ControlCommandSender,
                now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "control.failover")) {
        self.configuration = configuration
        self.sender = sender
        self.now = now
        self.logger = logger
        self.state = Mutex(State(machine: FailoverStateMachine(groups: groups, configuration: configuration), groups: groups))
        (jobs, queue) = AsyncStream.makeStream(of: Job.self)
    }

    deinit {
        queue.finish()
    }

    /// A copy of the machine as it stands (for the API).
    public var machine: FailoverStateMachine { state.withLock { $0.machine } }

    /// Whether the driver sees the data plane (between a link's hello and its loss).
    public var linkUp: Bool { state.withLock { $0.linkUp } }

    /// Sends queued commands, one at a time and in order, until the task is cancelled. Call once.
    public func run() async {
        for await job in jobs {
            await perform(job)
        }
        state.withLock { cancelRetryTimers(&$0) }
    }

    /// Follows the control link: a new connection restarts the machine, a lost one stops it, and
    /// the data plane's events become machine inputs.
    public func handle(_ event: ControlLinkEvent) {
        switch event {
        case .connected:
            state.withLock { state in
                startEpoch(&state, linkUp: true)
                let epoch = state.epoch
                queue.yield(Job(epoch: epoch, work: .send(.setIdleInterval(milliseconds: configuration.idleIntervalMilliseconds), action: nil)))
                queue.yield(Job(epoch: epoch, work: .send(.resetUpstreams, action: nil)))
                queue.yield(Job(epoch: epoch, work: .start))
            }
            logger.info("data plane connected: resetting upstreams and connecting to every group")
        case .disconnected:
            state.withLock { startEpoch(&$0, linkUp: false) }
            logger.notice("data plane disconnected: failover paused until it comes back")
        case .event(let event):
            state.withLock { state in
                guard state.linkUp, let input = state.machine.input(for: event) else { return }
                apply(input, to: &state)
            }
        }
    }

    /// Switches to the groups of a reloaded `host.ini`: groups that stay keep their connections.
    public func reconfigure(_ groups: [ServerGroup]) {
        state.withLock { state in
            state.groups = groups
            if state.linkUp {
                apply(.reconfigure(groups), to: &state)
            } else {
                state.machine = FailoverStateMachine(groups: groups, configuration: configuration, history: state.machine.history)
            }
        }
    }

    // MARK: Machine

    /// Feeds `input` when `epoch` (if given) is still the current one.
    private func feed(_ input: FailoverInput, epoch: UInt64) {
        state.withLock { state in
            guard state.linkUp, state.epoch == epoch else { return }
            apply(input, to: &state)
        }
    }

    private func apply(_ input: FailoverInput, to state: inout State) {
        if case .retryDue(let group) = input { state.retryTimers[group] = nil }
        let actions = state.machine.handle(input, at: now())
        for action in actions {
            if case .scheduleRetry(let group, let delay) = action {
                scheduleRetry(group, after: delay, in: &state)
            } else if let command = action.command {
                queue.yield(Job(epoch: state.epoch, work: .send(command, action: action)))
            }
        }
    }

    private func scheduleRetry(_ group: String, after delay: Duration, in state: inout State) {
        state.retryTimers[group]?.cancel()
        let epoch = state.epoch
        state.retryTimers[group] = Task { [weak self] in
            do { try await Task.sleep(for: delay) } catch { return }
            self?.feed(.retryDue(group: group), epoch: epoch)
        }
    }

    private func startEpoch(_ state: inout State, linkUp: Bool) {
        state.epoch += 1
        state.linkUp = linkUp
        cancelRetryTimers(&state)
        state.machine = FailoverStateMachine(groups: state.groups, configuration: configuration, history: state.machine.history)
    }

    private func cancelRetryTimers(_ state: inout State) {
        for timer in state.retryTimers.values { timer.cancel() }
        state.retryTimers = [:]
    }

    // MARK: Command queue

    private func perform(_ job: Job) async {
        guard state.withLock({ $0.linkUp && $0.epoch == job.epoch }) else { return }
        switch job.work {
        case .start:
            feed(.start, epoch: job.epoch)
        case .send(let command, let action):
            let reply = await sender.send(command)
            guard !reply.ok else { return }
            let reason = reply.message ?? reply.errorCode ?? "refused"
            logger.notice("data plane refused a command", metadata: [
                "command": "\(command)", "code": "\(reply.errorCode ?? "")", "reason": "\(reason)"])
            // Without a link the link's own event resets everything.
            guard reply.errorCode != "link-down" else { return }
            switch action {
            case .connect(_, let server):
                feed(.connectFailed(server, reason: reason), epoch: job.epoch)
            case .play(let stream, let server), .streamFrom(let stream, let server):
                feed(.playFailed(server, stream: stream, reason: reason), epoch: job.epoch)
            default:
                break
            }
        }
    }
}
