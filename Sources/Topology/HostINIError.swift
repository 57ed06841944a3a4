/// One bad line of a `host.ini` file: where it is and what is wrong with it.
public struct HostINIError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong with a line.
    public enum Kind: Error, Hashable, Sendable {
        /// No `<primary>;<secondary>` field (no `;` on the line).
        case missingAddresses
        /// No label before the addresses.
        case missingLabel
        /// No application after the addresses.
        case missingApplication
        /// More than one field after the application.
        case unexpectedField(String)
        /// More than one `;` in the address field.
        case tooManyAddresses(String)
        /// The primary (`which == "primary"`) or secondary address is empty.
        case emptyAddress(which: String)
        /// The host part is not a host name, IPv4 address or bracketed IPv6 address.
        case invalidHost(String)
        /// An IPv6 address without brackets (`[addr]` or `[addr]:port` is required).
        case ipv6WithoutBrackets(String)
        /// A `[` with no matching `]`, or text between `]` and `:port`.
        case malformedBrackets(String)
        /// The port is not a number in 1...65535.
        case invalidPort(String)
        /// The application is not `app` or `app/instance` made of letters, digits, `_`, `-`, `.`.
        case invalidApplication(String)
        /// The label was already used on an earlier line.
        case duplicateLabel(String, firstLine: Int)
        /// The file has no server group at all (`line` is 0).
        case noServerGroups
        /// A line longer than `HostINIParser.maximumLineLength`.
        case lineTooLong(Int)
    }

    /// File name as given to the parser.
    public var file: String
    /// 1-based line number; 0 for errors about the whole file.
    public var line: Int
    public var kind: Kind

    public init(file: String, line: Int, kind: Kind) {
        self.file = file
        self.line = line
        self.kind = kind
    }

    /// What is wrong, without the location.
    public var message: String {
        switch kind {
        case .missingAddresses: return "expected '<label> <primary>;<secondary> <app>[/<instance>]': no ';' between primary and secondary"
        case .missingLabel: return "missing server group label before the addresses"
        case .missingApplication: return "missing application name after the addresses"
        case .unexpectedField(let field): return "unexpected field '\(field)' after the application name"
        case .tooManyAddresses(let field): return "'\(field)' has more than one ';' (expected exactly primary;secondary)"
        case .emptyAddress(let which): return "empty \(which) address"
        case .invalidHost(let host): return "'\(host)' is not a host name, IPv4 address or [IPv6] address"
        case .ipv6WithoutBrackets(let host): return "IPv6 address '\(host)' must be written in brackets: [\(host)] or [\(host)]:port"
        case .malformedBrackets(let text): return "malformed bracketed address '\(text)' (expected [IPv6] or [IPv6]:port)"
        case .invalidPort(let port): return "invalid port '\(port)' (expected 1-65535)"
        case .invalidApplication(let app): return "invalid application '\(app)' (expected app or app/instance of letters, digits, '_', '-', '.')"
        case .duplicateLabel(let label, let firstLine): return "server group label '\(label)' already used on line \(firstLine)"
        case .noServerGroups: return "no server groups (every line is empty or a comment)"
        case .lineTooLong(let length): return "line is \(length) characters long (limit \(HostINIParser.maximumLineLength))"
        }
    }

    /// `file:line: message` (`file: message` for whole-file errors).
    public var description: String {
        line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
    }
}
