extension Route {
    /// Signed play URLs (`--play-secret-file`).
    static var playURLs: [Route] {
        [
            Route("POST", "/api/v1/play-urls", acceptsBody: true) { context throws(APIError) in
                let provider = try context.environment.service((any PlayURLProvider).self)
                let request = try context.decodeBody(PlayURLRequest.self)
                switch provider.mint(request, host: context.request.header("host")) {
                case .success(let minted): return try encoded(minted)
                case .failure(let error): throw error
                }
            },
        ]
    }
}
