/// Playlists for players holding a signed play URL (`--play-secret-file`): every URI the
/// playlist names (segments, parts, init sections, preload hints, rendition reports) gets the
/// same `expires`/`token` query, so that a player following the playlist is authorized for
/// what it fetches next. The playlist text itself is shared by every viewer; this runs per
/// request. Pure.
public enum SignedPlaylist {
    /// `playlist` with `query` (`expires=…&token=…`, no leading `?`) appended to each URI line
    /// and each `URI="…"` attribute.
    public static func appending(_ query: String, to playlist: String) -> String {
        guard !query.isEmpty else { return playlist }
        var output = ""
        output.reserveCapacity(playlist.utf8.count + 64 * 8)
        for line in playlist.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty {
                // Keeps blank lines and the final newline as they were.
            } else if line.hasPrefix("#") {
                output += signingURIAttributes(of: line, query: query)
            } else {
                output += line + separator(for: line) + query
            }
            output += "\n"
        }
        output.removeLast()
        return output
    }

    private static func separator(for uri: Substring) -> String {
        uri.contains("?") ? "&" : "?"
    }

    /// Each `URI="…"` of a tag line, with the query added inside the quotes.
    private static func signingURIAttributes(of line: Substring, query: String) -> String {
        let marker = "URI=\""
        var result = ""
        var rest = line[...]
        while let range = rest.range(of: marker) {
            result += rest[..<range.upperBound]
            rest = rest[range.upperBound...]
            guard let close = rest.firstIndex(of: "\"") else { break }
            let uri = rest[..<close]
            result += uri + separator(for: uri) + query
            rest = rest[close...]
        }
        return result + rest
    }
}
