import AdminAPI
import Foundation
import Testing

/// Keeps `openapi.yaml` and the route table equal in both directions.
@Suite struct OpenAPISpecTests {
    static let specURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("openapi.yaml")

    /// `METHOD /path` for every operation under `paths:` (two-space path keys, four-space methods).
    static func specOperations() throws -> Set<String> {
        let text = try String(contentsOf: specURL, encoding: .utf8)
        var operations: Set<String> = []
        var inPaths = false
        var currentPath: String?
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line == "paths:"; currentPath = nil; continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                currentPath = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), let path = currentPath {
                let key = String(line.dropFirst(4).dropLast())
                if methods.contains(key) { operations.insert("\(key.uppercased()) \(path)") }
            }
        }
        return operations
    }

    @Test func specAndRouteTableDescribeTheSameOperations() throws {
        let spec = try Self.specOperations()
        let table = Set(AdminRouter.table.map { "\($0.method) \($0.pattern)" })
        #expect(!spec.isEmpty)
        #expect(table.subtracting(spec).isEmpty, "routes missing from openapi.yaml: \(table.subtracting(spec).sorted())")
        #expect(spec.subtracting(table).isEmpty, "operations in openapi.yaml without a route: \(spec.subtracting(table).sorted())")
    }
}
