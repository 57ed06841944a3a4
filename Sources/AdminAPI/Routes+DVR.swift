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
