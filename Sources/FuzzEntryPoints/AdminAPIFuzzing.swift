import AdminAPI

/// One admin API request through the real router with in-memory providers. The input is
/// `METHOD PATH`, header lines `name: value`, an empty line, then the body.
enum AdminAPIFuzzing {
    static let router: AdminRouter = {
        var environment = APIEnvironment(node: FuzzNode())
        environment.register(FuzzNode.dvr, as: (any DVRProvider).self)
        environment.register(FuzzNode.exports, as: (any ExportJobsProvider).self)
        return AdminRouter(environment: environment, token: BearerToken("fuzz-token"))
    }()

    static func run(_ bytes: [UInt8]) {
        let headerEnd = bytes.indices.first { bytes[$0...].starts(with: [10, 10]) }
        let head = String(decoding: bytes[..<(headerEnd ?? bytes.endIndex)], as: UTF8.self)
        let body = headerEnd.map { Array(bytes[($0 + 2)...]) } ?? []
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false).makeIterator()
        let requestLine = (lines.next() ?? "").split(separator: " ", maxSplits: 1)
        var headers: [String: String] = [:]
        while let line = lines.next() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...].drop { $0 == " " })
        }
        let request = APIRequest(method: requestLine.first.map(String.init) ?? "GET",
                                 path: requestLine.count > 1 ? String(requestLine[1]) : "/",
                                 headers: headers, body: body)
        _ = router.handle(request)
    }
}
