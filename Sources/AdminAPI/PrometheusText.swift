import Foundation

/// Builds Prometheus text exposition (format 0.0.4): each family once with `# HELP` and
/// `# TYPE`, each series (name plus labels) once; a repeated family or series is dropped, so the
/// output never has duplicates.
public struct PrometheusText: Sendable {
    private var lines: [String] = []
    private var families: Set<String> = []
    private var series: Set<String> = []
    private var current: String?

    public init() {}

    /// Starts a metric family; samples that follow belong to it.
    public mutating func family(_ name: String, type: String, help: String) {
        guard families.insert(name).inserted else { current = nil; return }
        current = name
        lines.append("# HELP \(name) \(PrometheusText.escapeHelp(help))")
        lines.append("# TYPE \(name) \(type)")
    }

    /// One sample of the current family.
    public mutating func sample(_ value: Double, labels: [(String, String)] = []) {
        guard let name = current else { return }
        let labelText = labels.isEmpty ? "" :
            "{" + labels.map { "\($0.0)=\"\(PrometheusText.escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
        guard series.insert(name + labelText).inserted else { return }
        lines.append("\(name)\(labelText) \(PrometheusText.format(value))")
    }

    public mutating func sample<I: BinaryInteger>(_ value: I, labels: [(String, String)] = []) {
        sample(Double(value), labels: labels)
    }

    public var text: String { lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n" }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func escapeHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func escapeLabel(_ text: String) -> String {
        escapeHelp(text).replacingOccurrences(of: "\"", with: "\\\"")
    }
}
