/// Reads `host.ini` text into a `HostConfiguration`, collecting every bad line.
///
/// Grammar (the seed's, plus ports and IPv6):
///
///     file    = { line }
///     line    = blank | comment | group [ comment ]
///     comment = "#" { any }                       (at the start, or after whitespace)
///     group   = label ws address ";" address ws app [ "/" instance ]
///     address = host [ ":" port ] | "[" ipv6 "]" [ ":" port ]      (port defaults to 1935)
///
/// The label is every word before the address field, so the seed's `server 1 …` spelling reads
/// as the label "server 1". Primary equal to secondary is a group of one machine.
public enum HostINIParser {
    /// Longest accepted line, so that a garbage file costs bounded memory in error reports.
    public static let maximumLineLength = 4096

    /// Parses `text`; `file` only names the file in errors.
    public static func parse(_ text: String, file: String) -> Result<HostConfiguration, HostINIErrors> {
        var groups: [ServerGroup] = []
        var errors: [HostINIError] = []
        var labelLines: [String: Int] = [:]
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            if rawLine.count > maximumLineLength {
                errors.append(HostINIError(file: file, line: lineNumber, kind: .lineTooLong(rawLine.count)))
                continue
            }
            let fields = fieldsWithoutComment(rawLine)
            if fields.isEmpty { continue }
            switch parseGroup(fields, line: lineNumber) {
            case .success(let group):
                if let firstLine = labelLines[group.label] {
                    errors.append(HostINIError(file: file, line: lineNumber,
                                               kind: .duplicateLabel(group.label, firstLine: firstLine)))
                } else {
                    labelLines[group.label] = lineNumber
                    groups.append(group)
                }
            case .failure(let kinds):
                errors += kinds.kinds.map { HostINIError(file: file, line: lineNumber, kind: $0) }
            }
        }
        if groups.isEmpty && errors.isEmpty {
            errors.append(HostINIError(file: file, line: 0, kind: .noServerGroups))
        }
        return errors.isEmpty ? .success(HostConfiguration(groups: groups)) : .failure(HostINIErrors(errors: errors))
    }

    /// Parses one address (`host`, `host:port`, `[v6]`, `[v6]:port`, each maybe prefixed with
    /// `rtmps://` for RTMPS, default port 443, or `rtmp://`); also used for command-line flags.
    public static func parseAddress(_ address: String) -> Result<HostAddress, HostINIError.Kind> {
        var text = address
        var tls = false
        if text.lowercased().hasPrefix("rtmps://") {
            tls = true
            text = String(text.dropFirst("rtmps://".count))
        } else if text.lowercased().hasPrefix("rtmp://") {
            text = String(text.dropFirst("rtmp://".count))
        }
        var host = Substring(text)
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return .failure(.malformedBrackets(text)) }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.first == ":" else { return .failure(.malformedBrackets(text)) }
                portText = rest.dropFirst()
            }
            guard host.contains(":"), isIPv6(host) else { return .failure(.invalidHost(String(host))) }
        } else {
            let colons = text.filter { $0 == ":" }.count
            if colons > 1 { return .failure(.ipv6WithoutBrackets(text)) }
            if colons == 1, let colon = text.firstIndex(of: ":") {
                host = text[..<colon]
                portText = text[text.index(after: colon)...]
            }
            guard isHostName(host) else { return .failure(.invalidHost(String(host))) }
        }
        var port = tls ? HostAddress.defaultTLSPort : HostAddress.defaultPort
        if let portText {
            guard portText.count <= 5, portText.allSatisfy(\.isASCIIDigit), let value = Int(portText),
                  (1...65535).contains(value) else { return .failure(.invalidPort(String(portText))) }
            port = value
        }
        return .success(HostAddress(host: String(host), port: port, tls: tls))
    }

    // MARK: Pieces

    private static func fieldsWithoutComment(_ line: Substring) -> [Substring] {
        var fields: [Substring] = []
        for field in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }) {
            if field.hasPrefix("#") { break }
            fields.append(field)
        }
        return fields
    }

    private static func parseGroup(_ fields: [Substring], line: Int) -> Result<ServerGroup, LineProblems> {
        guard let addressIndex = fields.firstIndex(where: { $0.contains(";") }) else {
            return .failure(LineProblems(kinds: [.missingAddresses]))
        }
        var problems: [HostINIError.Kind] = []
        if addressIndex == 0 { problems.append(.missingLabel) }
        let label = fields[..<addressIndex].joined(separator: " ")
        let addressField = fields[addressIndex]
        let parts = addressField.split(separator: ";", omittingEmptySubsequences: false)
        var primary: HostAddress?
        var secondary: HostAddress?
        if parts.count != 2 {
            problems.append(.tooManyAddresses(String(addressField)))
        } else {
            primary = address(parts[0], which: "primary", problems: &problems)
            secondary = address(parts[1], which: "secondary", problems: &problems)
        }
        let after = fields[(addressIndex + 1)...]
        var app: Substring = ""
        var instance: Substring?
        if let appField = after.first {
            let pieces = appField.split(separator: "/", omittingEmptySubsequences: false)
            if pieces.count > 2 || !pieces.allSatisfy(isApplicationName) {
                problems.append(.invalidApplication(String(appField)))
            } else {
                app = pieces[0]
                instance = pieces.count == 2 ? pieces[1] : nil
            }
            if after.count > 1 { problems.append(.unexpectedField(String(after[after.startIndex + 1]))) }
        } else {
            problems.append(.missingApplication)
        }
        guard problems.isEmpty, let primary, let secondary else { return .failure(LineProblems(kinds: problems)) }
        return .success(ServerGroup(label: label, primary: primary, secondary: secondary, app: String(app),
                                    instance: instance.map(String.init), line: line))
    }

    private static func address(_ text: Substring, which: String, problems: inout [HostINIError.Kind]) -> HostAddress? {
        if text.isEmpty {
            problems.append(.emptyAddress(which: which))
            return nil
        }
        switch parseAddress(String(text)) {
        case .success(let address): return address
        case .failure(let kind): problems.append(kind); return nil
        }
    }

    private static func isApplicationName(_ text: Substring) -> Bool {
        !text.isEmpty && text != "." && text != ".."
            && text.allSatisfy { $0.isASCIILetterOrDigit || $0 == "_" || $0 == "-" || $0 == "." }
    }

    /// A DNS name or dotted IPv4 address; all-numeric names must be valid dotted quads.
    private static func isHostName(_ host: Substring) -> Bool {
        guard !host.isEmpty, host.count <= 253 else { return false }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        if host.allSatisfy({ $0.isASCIIDigit || $0 == "." }) {
            return labels.count == 4 && labels.allSatisfy { label in
                !label.isEmpty && label.count <= 3 && (Int(label).map { $0 <= 255 } ?? false)
            }
        }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCIILetterOrDigit || $0 == "-" || $0 == "_" }
        }
    }

    /// Hex groups separated by `:` (at most one `::`), optionally ending in a dotted IPv4 address.
    private static func isIPv6(_ host: Substring) -> Bool {
        guard host.count <= 45, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return false }
        let doubleColons = host.ranges(of: "::").count
        guard doubleColons <= 1 else { return false }
        var groups = host.split(separator: ":", omittingEmptySubsequences: true)
        var groupLimit = 8
        if let last = groups.last, last.contains(".") {
            guard isHostName(last), last.allSatisfy({ $0.isASCIIDigit || $0 == "." }) else { return false }
            groups.removeLast()
            groupLimit = 6
        }
        guard groups.allSatisfy({ $0.count <= 4 && !$0.contains(".") }) else { return false }
        if doubleColons == 0 {
            // Without "::" every group must be present and no leading/trailing single colon.
            return groups.count == groupLimit && !host.hasPrefix(":") && !host.hasSuffix(":")
        }
        if host.hasPrefix(":") && !host.hasPrefix("::") { return false }
        if host.hasSuffix(":") && !host.hasSuffix("::") { return false }
        return groups.count < groupLimit
    }
}

/// Everything wrong with one line.
private struct LineProblems: Error {
    var kinds: [HostINIError.Kind]
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
    fileprivate var isASCIILetterOrDigit: Bool { isASCII && (isLetter || isNumber) }
}
