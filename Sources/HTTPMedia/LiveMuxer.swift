import FLV

/// A muxer the HTTP shell feeds with a live stream's frames, in order, as the relay has them
/// (timestamps already continued across splices). It returns what the frame completed; the
/// shell only stores and sends those bytes. Pure: no clock, no I/O.
public protocol LiveMuxer {
    associatedtype Output
    /// Consumes one frame; returns the outputs it completed (often none).
    mutating func append(_ frame: MediaFrame) -> [Output]
    /// Ends the stream: returns whatever was held back.
    mutating func flush() -> [Output]
}
