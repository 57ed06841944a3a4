import HTTPMedia
import XCTest

final class HTTPRequestParsingTests: XCTestCase {
    func testRanges() {
        XCTAssertEqual(HTTPByteRange(header: nil, size: 100), .whole)
        XCTAssertEqual(HTTPByteRange(header: "bytes=0-9", size: 100), .partial(0...9))
        XCTAssertEqual(HTTPByteRange(header: "bytes=90-", size: 100), .partial(90...99))
        XCTAssertEqual(HTTPByteRange(header: "bytes=90-500", size: 100), .partial(90...99))
        XCTAssertEqual(HTTPByteRange(header: "bytes=-10", size: 100), .partial(90...99))
        XCTAssertEqual(HTTPByteRange(header: "bytes=-500", size: 100), .partial(0...99))
        XCTAssertEqual(HTTPByteRange(header: "bytes=100-", size: 100), .unsatisfiable)
        XCTAssertEqual(HTTPByteRange(header: "bytes=-0", size: 100), .unsatisfiable)
        XCTAssertEqual(HTTPByteRange(header: "bytes=5-1", size: 100), .whole)
        XCTAssertEqual(HTTPByteRange(header: "bytes=0-1,5-6", size: 100), .whole)
        XCTAssertEqual(HTTPByteRange(header: "items=0-1", size: 100), .whole)
        XCTAssertEqual(HTTPByteRange(header: "bytes=99999999999999999999-", size: 100), .whole)
    }

    func testRoutes() {
        let app = "livestreamcast_edge"
        XCTAssertEqual(HTTPMediaRoute(path: "/livestreamcast_edge/live", app: app), .playerPage(stream: "live"))
        XCTAssertEqual(HTTPMediaRoute(path: "/livestreamcast_edge/live.flv", app: app), .flv(stream: "live"))
        XCTAssertEqual(HTTPMediaRoute(path: "/livestreamcast_edge/live.mp4", app: app), .mp4(stream: "live"))
        XCTAssertEqual(HTTPMediaRoute(path: "/livestreamcast_edge/live/index.m3u8", app: app), .hlsPlaylist(stream: "live"))
        XCTAssertEqual(HTTPMediaRoute(path: "/livestreamcast_edge/live/p12.m4s", app: app), .hlsPart(stream: "live", number: 12))
        XCTAssertEqual(HTTPMediaRoute(path: "/livestreamcast_edge/live/s3.m4s", app: app), .hlsSegment(stream: "live", sequenceNumber: 3))
        XCTAssertEqual(HTTPMediaRoute(path: "/livestreamcast_edge/live/init2.mp4", app: app), .hlsInit(stream: "live", generation: 2))
        XCTAssertEqual(HTTPMediaRoute(path: "/livestreamcast_edge/live/dvr.m3u8", app: app), .dvrPlaylist(stream: "live"))
        XCTAssertEqual(HTTPMediaRoute(path: "/livestreamcast_edge/live/dvr/init.mp4", app: app), .dvrInit(stream: "live"))
        XCTAssertEqual(HTTPMediaRoute(path: "/livestreamcast_edge/live/dvr/2000-4000.m4s", app: app),
                       .dvrSegment(stream: "live", start: 2000, end: 4000))
        XCTAssertEqual(HTTPMediaRoute(path: "/vod/exports/goal.f4v", app: app), .file(directory: "exports", name: "goal.f4v"))
        XCTAssertEqual(HTTPMediaRoute(path: "/vod/sources/my%20clip.mp4", app: app), .file(directory: "sources", name: "my clip.mp4"))
        XCTAssertEqual(HTTPMediaRoute(path: "/player/player.js", app: app), .asset(name: "player.js"))
        XCTAssertEqual(HTTPMediaRoute(path: "/vod/sources/clip.flv/index.m3u8", app: app), .clipPlaylist(name: "clip.flv"))
        XCTAssertEqual(HTTPMediaRoute(path: "/vod/sources/clip.flv/init.mp4", app: app), .clipInit(name: "clip.flv"))
        XCTAssertEqual(HTTPMediaRoute(path: "/vod/sources/clip.flv/0-2000.m4s", app: app), .clipSegment(name: "clip.flv", start: 0, end: 2000))
        XCTAssertNil(HTTPMediaRoute(path: "/vod/exports/clip.flv/index.m3u8", app: app))
        XCTAssertNil(HTTPMediaRoute(path: "/vod/sources/clip.flv/-5.m4s", app: app))
    }

    func testPathTricksAreRefused() {
        let app = "app"
        for path in ["/vod/exports/..", "/vod/exports/%2e%2e", "/vod/%2e%2e/etc", "/vod/exports/..%2fpasswd", "/vod/exports/%2F..%2Fx",
                     "/vod/exports/.hidden", "/vod/dvr/x", "/vod/exports/a/b", "/app/..", "/app/a..b.flv", "/app/x%00.flv",
                     "/app/x/dvr/4000-2000.m4s", "/other/live.flv", "//etc/passwd", "/vod/exports/%zz", "relative", "/app/live/%5c.m4s",
                     "/player/../etc"] {
            XCTAssertNil(HTTPMediaRoute(path: path, app: app), path)
        }
    }

    func testQuery() {
        let query = HTTPQuery("_HLS_msn=12&_HLS_part=3&start=2024-01-01T00%3A00%3A00Z&_HLS_msn=99")
        XCTAssertEqual(query["_HLS_msn"], "12")
        XCTAssertEqual(query["_HLS_part"], "3")
        XCTAssertEqual(query["start"], "2024-01-01T00:00:00Z")
    }
}
