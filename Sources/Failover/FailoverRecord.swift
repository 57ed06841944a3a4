import Foundation
import Topology

/// One entry in the failover history: a stream's source changed (or was lost).
public struct FailoverRecord: Hashable, Sendable {
    public var time: Date
    public var stream: String
    /// The server that fed the stream before, if any.
    public var from: UpstreamServer?
    /// The server feeding it now; nil when no upstream is available.
    public var to: UpstreamServer?
    /// Why, e.g. "first to answer", "idle for 1000 ms", "upstream disconnected: ...".
    public var reason: String

    public init(time: Date, stream: String, from: UpstreamServer?, to: UpstreamServer?, reason: String) {
        self.time = time
        self.stream = stream
        self.from = from
        self.to = to
        self.reason = reason
    }
}
