import Topology

/// What the failover state machine asks its driver to do. The driver owns sockets and timers and
/// reports results back as `FailoverInput`s.
public enum FailoverAction: Hashable, Sendable {
    /// Open a registration connection to `server` (a member of group `group`); answer with
    /// `.connected` or `.connectFailed`.
    case connect(group: String, server: UpstreamServer)
    /// Close the connection to `server` (its group left `host.ini`).
    case disconnect(UpstreamServer)
    /// Deliver `.retryDue(group:)` after `delay`.
    case scheduleRetry(group: String, delay: Duration)
    /// Send play for `stream` to `server`; answer with `.playStarted` or `.playFailed`. The answer
    /// only ranks the server in the stream's list of available servers: media flows only from
    /// the server named by `.streamFrom`.
    case play(stream: String, server: UpstreamServer)
    /// Stop playing `stream` on `server`: it left the stream's list (idle, refused, removed).
    case stopPlay(stream: String, server: UpstreamServer)
    /// Feed `stream` to the local players from `server` from now on, splicing it in at a keyframe
    /// if another upstream fed it before.
    case streamFrom(stream: String, server: UpstreamServer)
    /// Stop relaying `stream` from any upstream (no player wants it any more).
    case stopStream(String)
}
