/// Every bad line of a `host.ini` file (never empty), in line order.
public struct HostINIErrors: Error, Hashable, Sendable, CustomStringConvertible {
    public var errors: [HostINIError]

    public init(errors: [HostINIError]) {
        self.errors = errors
    }

    /// One error per line, `file:line: message`.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
