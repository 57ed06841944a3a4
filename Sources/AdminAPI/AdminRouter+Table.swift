extension AdminRouter {
    /// Every route of the admin API, in one table.
    ///
    /// How an area adds its endpoints: put them in `Routes+<Area>.swift` as
    /// `extension Route { static var <area>: [Route] { [...] } }`, with handlers that fetch the
    /// area's provider protocol through `context.environment.service(<Provider>.self)` (the
    /// control plane registers it with `APIEnvironment.register`), then add one `+ Route.<area>`
    /// line below and the same paths to `openapi.yaml` (a test keeps both equal).
    public static var table: [Route] {
        Route.core + Route.dvr + Route.topology + Route.playURLs
    }
}
