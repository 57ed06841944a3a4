import AdminAPI
import ControlProtocol
import Foundation
import Testing

/// An in-memory DVR provider that records the commands it was asked to send.
final class FakeDVR: DVRProvider, @unchecked Sendable {
    let lock = NSLock()
    var sent: [(String, Bool)] = []
    var outcome: CommandOutcome? = .ok(message: "recording")

    func recordings() -> [DVRRecordingDTO] {
        [DVRRecordingDTO(stream: "livestream", startedAt: Date(timeIntervalSince1970: 1_800_000_000), duration: 12.5,
                         availableFrom: 0, live: true, size: 1234)]
    }

    func setRecording(stream: String, on: Bool) -> CommandOutcome? {
        lock.lock(); defer { lock.unlock() }
        sent.append((stream, on))
        return outcome
    }
}

@Suite struct DVRRoutesTests {
    let dvr = FakeDVR()
    var router: AdminRouter {
        var environment = APIEnvironment(node: FakeNode())
        environment.register(dvr as any DVRProvider, as: (any DVRProvider).self)
        return AdminRouter(environment: environment, token: nil)
    }

    private func json(_ response: APIResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    @Test func listsRecordingsWithWallClockStart() throws {
        let response = router.handle(APIRequest(method: "GET", path: "/api/v1/dvr"))
        #expect(response.status == 200)
        let recordings = try #require(try json(response)["recordings"] as? [[String: Any]])
        #expect(recordings.first?["stream"] as? String == "livestream")
        #expect(recordings.first?["live"] as? Bool == true)
        #expect(recordings.first?["duration"] as? Double == 12.5)
        #expect((recordings.first?["startedAt"] as? String)?.hasPrefix("2027-01-15T08:00:00") == true)
    }

    @Test func startAndStopSendTheCommands() throws {
        #expect(router.handle(APIRequest(method: "POST", path: "/api/v1/dvr/livestream/start")).status == 200)
        #expect(router.handle(APIRequest(method: "POST", path: "/api/v1/dvr/livestream/stop")).status == 200)
        #expect(dvr.sent.map(\.1) == [true, false])
        #expect(dvr.sent.allSatisfy { $0.0 == "livestream" })
    }

    @Test func errorsMapToStatusCodes() {
        dvr.outcome = nil
        #expect(router.handle(APIRequest(method: "POST", path: "/api/v1/dvr/a/start")).status == 503)
        dvr.outcome = .failed(code: "unsupported", message: "this relay runs without a DVR")
        #expect(router.handle(APIRequest(method: "POST", path: "/api/v1/dvr/a/start")).status == 409)
        dvr.outcome = .failed(code: "bad-request", message: "bad stream name")
        #expect(router.handle(APIRequest(method: "POST", path: "/api/v1/dvr/a/stop")).status == 400)
        #expect(router.handle(APIRequest(method: "GET", path: "/api/v1/dvr/a/start")).status == 405)
    }

    @Test func withoutAProviderTheRoutesSayNotConfigured() {
        let router = AdminRouter(environment: APIEnvironment(node: FakeNode()), token: nil)
        #expect(router.handle(APIRequest(method: "GET", path: "/api/v1/dvr")).status == 503)
    }
}

struct FakeLibrary: MediaLibraryProvider {
    func sources() -> [MediaFileDTO] { [MediaFileDTO(name: "opener.mp4", format: "mp4", duration: 4, codecs: ["h264", "aac"], width: 320, height: 240, size: 10)] }
    func outputs() -> [MediaFileDTO] { [] }
}

@Suite struct MediaLibraryRoutesTests {
    @Test func listsSourcesAndOutputs() throws {
        var environment = APIEnvironment(node: FakeNode())
        environment.register(FakeLibrary() as any MediaLibraryProvider, as: (any MediaLibraryProvider).self)
        let router = AdminRouter(environment: environment, token: nil)
        let sources = router.handle(APIRequest(method: "GET", path: "/api/v1/sources"))
        #expect(sources.status == 200)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(sources.body)) as? [String: Any])
        let files = try #require(body["files"] as? [[String: Any]])
        #expect(files.first?["name"] as? String == "opener.mp4")
        #expect(files.first?["width"] as? Int == 320)
        #expect(router.handle(APIRequest(method: "GET", path: "/api/v1/outputs")).status == 200)
    }
}

final class FakeJobs: ExportJobsProvider, @unchecked Sendable {
    let job = ExportJobDTO(id: "1", output: "goal-1.f4v", state: "queued", progress: 0, createdAt: Date(timeIntervalSince1970: 0),
                           items: [ExportJobItemDTO(source: "dvr", name: "livestream")])
    func submit(_ body: [UInt8]) -> Result<ExportJobDTO, APIError> {
        body.isEmpty ? .failure(.badRequest("empty")) : .success(job)
    }
    func jobs() -> [ExportJobDTO] { [job] }
    func job(id: String) -> ExportJobDTO? { id == "1" ? job : nil }
    func cancel(id: String) -> ExportJobDTO? { id == "1" ? job : nil }
}

@Suite struct ExportRoutesTests {
    var router: AdminRouter {
        var environment = APIEnvironment(node: FakeNode())
        environment.register(FakeJobs() as any ExportJobsProvider, as: (any ExportJobsProvider).self)
        return AdminRouter(environment: environment, token: nil)
    }

    @Test func submitAnswers202AndJobsAreListedFetchedAndCancelled() {
        #expect(router.handle(APIRequest(method: "POST", path: "/api/v1/exports", body: Array("{}".utf8))).status == 202)
        #expect(router.handle(APIRequest(method: "POST", path: "/api/v1/exports")).status == 400)
        #expect(router.handle(APIRequest(method: "GET", path: "/api/v1/exports")).status == 200)
        #expect(router.handle(APIRequest(method: "GET", path: "/api/v1/exports/1")).status == 200)
        #expect(router.handle(APIRequest(method: "GET", path: "/api/v1/exports/2")).status == 404)
        #expect(router.handle(APIRequest(method: "DELETE", path: "/api/v1/exports/1")).status == 200)
    }
}
