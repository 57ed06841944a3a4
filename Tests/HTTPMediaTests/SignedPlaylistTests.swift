import HTTPMedia
import Testing

/// Signed play URLs carried through HLS playlists: a player that opened the playlist with a token
/// fetches every URI it names with the same token.
@Suite struct SignedPlaylistTests {
    let query = "expires=1800000000&token=ab12"

    @Test func everyURILineAndURIAttributeGetsTheQuery() {
        let playlist = """
            #EXTM3U
            #EXT-X-VERSION:9
            #EXT-X-MAP:URI="init0.mp4"
            #EXT-X-PART:DURATION=0.200,URI="p12.m4s",INDEPENDENT=YES
            #EXTINF:1.000,
            s3.m4s
            #EXT-X-PRELOAD-HINT:TYPE=PART,URI="p13.m4s"
            #EXT-X-RENDITION-REPORT:URI="../other/index.m3u8?a=1",LAST-MSN=3

            """
        let signed = SignedPlaylist.appending(query, to: playlist)
        #expect(signed == """
            #EXTM3U
            #EXT-X-VERSION:9
            #EXT-X-MAP:URI="init0.mp4?\(query)"
            #EXT-X-PART:DURATION=0.200,URI="p12.m4s?\(query)",INDEPENDENT=YES
            #EXTINF:1.000,
            s3.m4s?\(query)
            #EXT-X-PRELOAD-HINT:TYPE=PART,URI="p13.m4s?\(query)"
            #EXT-X-RENDITION-REPORT:URI="../other/index.m3u8?a=1&\(query)",LAST-MSN=3

            """)
    }

    @Test func anEmptyQueryOrATagWithoutURIChangesNothing() {
        let playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:2\ndvr/0-40.m4s"
        #expect(SignedPlaylist.appending("", to: playlist) == playlist)
        #expect(SignedPlaylist.appending("t=1", to: "#EXT-X-TARGETDURATION:2") == "#EXT-X-TARGETDURATION:2")
        // An unterminated attribute is left as it is (never a trap).
        #expect(SignedPlaylist.appending("t=1", to: "#EXT-X-MAP:URI=\"init") == "#EXT-X-MAP:URI=\"init")
    }

    @Test func routesNameWhatTheirTokenSigns() {
        #expect(HTTPMediaRoute(path: "/app/live.flv", app: "app")?.playNames == ["live"])
        #expect(HTTPMediaRoute(path: "/app/live/p3.m4s", app: "app")?.playNames == ["live"])
        #expect(HTTPMediaRoute(path: "/vod/exports/x.f4v", app: "app")?.playNames
                == ["exports/x.f4v", "mp4:exports/x.f4v", "f4v:exports/x.f4v", "flv:exports/x.f4v"])
        #expect(HTTPMediaRoute(path: "/player/player.js", app: "app")?.playNames == nil)
    }
}
