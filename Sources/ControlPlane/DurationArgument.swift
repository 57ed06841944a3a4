/// Parses a duration given on the command line: `1s`, `1.5s`, `500ms`, or a bare number of
/// seconds (`2`, `0.25`).
public enum DurationArgument {
    /// Longest accepted duration (one hour): longer values are mistakes, not intervals.
    public static let maximum: Duration = .seconds(3600)

    /// The duration, or nil when `text` is not one, is not positive, rounds to less than a
    /// millisecond, or is longer than `maximum`.
    public static func parse(_ text: String) -> Duration? {
        var number = Substring(text)
        var millisecondsPerUnit = 1000.0
        if number.hasSuffix("ms") {
            number = number.dropLast(2)
            millisecondsPerUnit = 1
        } else if number.hasSuffix("s") {
            number = number.dropLast()
        }
        // Plain decimals only: Double(_:) would also take "inf", "nan", "1e3" and hex.
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              number.filter({ $0 == "." }).count <= 1, number != ".", let value = Double(number) else { return nil }
        let milliseconds = (value * millisecondsPerUnit).rounded()
        guard milliseconds >= 1, milliseconds <= Double(maximum.components.seconds * 1000) else { return nil }
        return .milliseconds(Int64(milliseconds))
    }
}
