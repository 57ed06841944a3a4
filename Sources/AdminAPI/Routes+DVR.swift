import ControlProtocol
import Foundation

extension Route {
    /// DVR recordings (listing, per-stream start/stop as DVRCast's startRecord/stopRecord) and the
    /// media library (on-demand clips, exported files).
    static var dvr: [Route] {
        [
            Route("GET", "/api/v1/dvr") { context throws(APIError) in
                let provider = try context.environment.service((any DVRProvider).self)
                return try encoded(DVRListResponse(recordings: provider.recordings()))
            },
            Route("POST", "/api/v1/dvr/{stream}/start") { context throws(APIError) in
                try setRecording(context, on: true)
            },
            Route("POST", "/api/v1/dvr/{stream}/stop") { context throws(APIError) in
                try setRecording(context, on: false)
            },
            Route("GET", "/api/v1/sources") { context throws(APIError) in
                let library = try context.environment.service((any MediaLibraryProvider).self)
                return try encoded(MediaFileListResponse(files: library.sources()))
            },
            Route("POST", "/api/v1/exports") { context throws(APIError) in
                let jobs = try context.environment.service((any ExportJobsProvider).self)
                switch jobs.submit(context.request.body) {
                case .success(let job): return try encoded(job, status: 202)
                case .failure(let error): throw error
                }
            },
            Route("GET", "/api/v1/exports") { context throws(APIError) in
                let jobs = try context.environment.service((any ExportJobsProvider).self)
                return try encoded(ExportJobListResponse(jobs: jobs.jobs()))
            },
            Route("GET", "/api/v1/exports/{id}") { context throws(APIError) in
                let id = try context.parameter("id")
                let jobs = try context.environment.service((any ExportJobsProvider).self)
                guard let job = jobs.job(id: id) else { throw .notFound("no export job '\(id)'") }
                return try encoded(job)
            },
            Route("DELETE", "/api/v1/exports/{id}") { context throws(APIError) in
                let id = try context.parameter("id")
                let jobs = try context.environment.service((any ExportJobsProvider).self)
                guard let job = jobs.cancel(id: id) else { throw .notFound("no export job '\(id)'") }
                return try encoded(job)
            },
            Route("GET", "/api/v1/outputs") { context throws(APIError) in
                let library = try context.environment.service((any MediaLibraryProvider).self)
                return try encoded(MediaFileListResponse(files: library.outputs()))
            },
        ]
    }

    private static func setRecording(_ context: RouteContext, on: Bool) throws(APIError) -> APIResponse {
        let stream = try context.parameter("stream")
        guard !stream.isEmpty, stream.utf8.count <= 200 else { throw .badRequest("stream names are 1 to 200 bytes") }
        let provider = try context.environment.service((any DVRProvider).self)
        switch provider.setRecording(stream: stream, on: on) {
        case nil:
            throw .dataPlaneUnavailable
        case .ok(let message):
            return try encoded(DVRCommandResponse(stream: stream, recording: on, message: message))
        case .failed(let code, let message) where code == "unsupported":
            throw APIError(status: 409, code: code, message: message)
        case .failed(let code, let message):
            throw APIError(status: 400, code: code, message: message)
        }
    }
}
