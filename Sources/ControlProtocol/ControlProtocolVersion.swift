/// Version of the messages exchanged between `lsc-relay` and `lsc-control` over the control socket.
///
/// Each side sends its version in `Hello`. A control plane talking to a data plane with a lower
/// version uses only the commands that version understands; an unknown message `type` is
/// ignored by both sides (forward compatibility), never treated as an error.
///
/// - 1: snapshots list every client (`clients`).
/// - 2: snapshots count clients by kind (`clientCounts`); the list is sent on demand, in the
///   reply to `listClients`.
public enum ControlProtocolVersion {
    public static let current = 2
    /// The first version that answers `ControlPlaneMessage.listClients`.
    public static let clientListOnDemand = 2
}
