import Topology

/// Everything the failover state machine reacts to: connection results and stream notifications
/// from the data plane, player demand, and timers it asked for.
public enum FailoverInput: Hashable, Sendable {
    /// The node starts: connect to every group.
    case start
    /// A registration connection to `server` is up.
    case connected(UpstreamServer)
    /// A connection attempt to `server` failed.
    case connectFailed(UpstreamServer, reason: String)
    /// An established connection to `server` was lost.
    case disconnected(UpstreamServer, reason: String)
    /// The retry timer of the group labelled `group` fired (see `FailoverAction.scheduleRetry`).
    case retryDue(group: String)
    /// `server` announced a published stream (`addStream`).
    case streamAdded(UpstreamServer, stream: String)
    /// `server` announced that a stream ended (`removeStream`).
    case streamRemoved(UpstreamServer, stream: String)
    /// A player asked this node for `stream`, which it does not yet relay.
    case streamDemanded(String)
    /// The last player of `stream` left (after the data plane's grace period).
    case streamAbandoned(String)
    /// `server` answered play for `stream` (`NetStream.Play.Start`).
    case playStarted(UpstreamServer, stream: String)
    /// `server` refused play for `stream` (not found, error).
    case playFailed(UpstreamServer, stream: String, reason: String)
    /// No media for `stream` from `server` for the idle interval.
    case idle(UpstreamServer, stream: String)
    /// `host.ini` was reloaded: these are the node's groups from now on.
    case reconfigure([ServerGroup])
}
