/// The one checked conversion for numbers that come from the network (AMF0 numbers are Doubles:
/// stream ids, times, sizes, metadata).
///
/// `Int(someDouble)` traps on NaN, infinities and values out of range; a peer controls these
/// values, so a trap there is a remote crash of the whole relay. Every conversion of a peer's
/// number goes through `init?(networkNumber:)`, and a nil is either a protocol error of that one
/// connection or ignored metadata.
extension FixedWidthInteger {
    /// `value` rounded toward zero, when it is finite and fits in `Self`; nil otherwise.
    @inlinable
    public init?(networkNumber value: Double) {
        guard value.isFinite else { return nil }
        guard let exact = Self(exactly: value.rounded(.towardZero)) else { return nil }
        self = exact
    }

    /// `value` rounded toward zero when it is finite and within `range`; nil otherwise.
    @inlinable
    public init?(networkNumber value: Double, in range: ClosedRange<Self>) {
        guard let converted = Self(networkNumber: value), range.contains(converted) else { return nil }
        self = converted
    }
}

extension Double {
    /// The value when it is finite and within `range` (metadata such as a frame rate), else nil.
    @inlinable
    public func finite(in range: ClosedRange<Double>) -> Double? {
        isFinite && range.contains(self) ? self : nil
    }
}
