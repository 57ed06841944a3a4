/// Where paths under a media directory really lead: a symbolic link in `sources/`, `exports/` or
/// `dvr/` that points outside its directory is refused for listing, export and play. The
/// directory itself is resolved too, so an operator may link a whole directory to another disk.
public struct MediaRootPath: Sendable {
    public let root: String
    private let files: any DVRFileSystem

    public init(_ root: String, files: any DVRFileSystem = LocalDVRFileSystem()) {
        self.root = root
        self.files = files
    }

    /// True when `path` exists and, with every symbolic link resolved, lies under the media root
    /// (resolved too).
    public func contains(_ path: String) -> Bool {
        guard let root = files.resolvedPath(root), let resolved = files.resolvedPath(path) else { return false }
        return resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }
}
