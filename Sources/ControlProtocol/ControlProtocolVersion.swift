/// Version of the messages exchanged between `lsc-relay` and `lsc-control` over the control socket.
///
/// Each side sends its version in `Hello`. A control plane talking to a data plane with a lower
/// version uses only the commands that version understands; an unknown message `type` is
/// ignored by both sides (forward compatibility), never treated as an error.
public enum ControlProtocolVersion {
    public static let current = 1
}
