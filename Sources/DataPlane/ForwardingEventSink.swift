import ControlProtocol
import NIOConcurrencyHelpers

/// An event sink whose target can be set after start-up (the control link is created after the
/// node and may be absent); events emitted with no target are dropped.
public final class ForwardingEventSink: DataPlaneEventSink {
    private let target = NIOLockedValueBox<(any DataPlaneEventSink)?>(nil)

    public init() {}

    public func attach(_ sink: any DataPlaneEventSink) { target.withLockedValue { $0 = sink } }

    public func emit(_ event: DataPlaneEvent) {
        target.withLockedValue { $0 }?.emit(event)
    }
}
