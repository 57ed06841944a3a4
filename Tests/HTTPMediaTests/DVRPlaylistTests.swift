import Foundation
import HTTPMedia
import Recording
import XCTest

final class DVRPlaylistTests: XCTestCase {
    private func index(keyframesEvery step: UInt64, until end: UInt64, closed: Bool) -> DVRIndex {
        var records = [DVRIndexRecord(kind: .segmentStart, segment: 0, offset: 13, time: 0, wallSeconds: 0)]
        var time: UInt64 = 0
        while time <= end {
            records.append(DVRIndexRecord(kind: .keyframe, segment: 0, offset: 100 + time, time: time, wallSeconds: UInt32(time / 1000)))
            time += step
        }
        if closed { records.append(DVRIndexRecord(kind: .closed, segment: 0, offset: 999_999, time: end, wallSeconds: UInt32(end / 1000))) }
        return DVRIndex(records: records)
    }

    func testEventPlaylistFromTheIndex() {
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let playlist = DVRPlaylist(index: index(keyframesEvery: 1000, until: 9000, closed: false), startedAt: start, endTime: 9500,
                                   isLive: true)
        XCTAssertEqual(playlist.segments.map(\.start), [0, 2000, 4000, 6000])
        let text = playlist.render()
        XCTAssertTrue(text.contains("#EXT-X-PLAYLIST-TYPE:EVENT\n"))
        XCTAssertTrue(text.contains("#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:20.000Z\n#EXTINF:2.000,\ndvr/0-2000.m4s\n"))
        XCTAssertTrue(text.contains("#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:22.000Z\n"))
        XCTAssertFalse(text.contains("#EXT-X-ENDLIST"), "a live recording grows")
    }

    func testClosedRecordingEndsAtTheLastFrame() {
        let playlist = DVRPlaylist(index: index(keyframesEvery: 2000, until: 6000, closed: true), startedAt: Date(), endTime: 7000,
                                   isLive: false)
        XCTAssertEqual(playlist.segments.last, DVRPlaylist.Segment(start: 6000, end: 7001))
        XCTAssertTrue(playlist.render().hasSuffix("#EXT-X-ENDLIST\n"))
    }

    func testStartAcceptsSecondsAndRFC3339() {
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let playlist = DVRPlaylist(index: index(keyframesEvery: 1000, until: 20000, closed: true), startedAt: start, endTime: 20000,
                                   isLive: false)
        XCTAssertEqual(playlist.startOffset("12.5"), 12.5)
        XCTAssertEqual(playlist.startOffset("2023-11-14T22:13:30Z"), 10)
        XCTAssertEqual(playlist.startOffset("2023-11-14T22:13:30.250Z"), 10.25)
        XCTAssertNil(playlist.startOffset("yesterday"))
        XCTAssertTrue(playlist.render(startOffset: 10).contains("#EXT-X-START:TIME-OFFSET=10.000,PRECISE=YES\n"))
    }

    func testClipPlaylistIsVODWithoutWallClock() {
        let playlist = DVRPlaylist(keyframes: [0, 1000, 2000, 3000, 4000, 5000], end: 5500)
        XCTAssertEqual(playlist.segments, [.init(start: 0, end: 2000), .init(start: 2000, end: 4000), .init(start: 4000, end: 5500)])
        let text = playlist.render()
        XCTAssertTrue(text.contains("#EXT-X-PLAYLIST-TYPE:VOD\n"))
        XCTAssertTrue(text.contains("#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.000,\n0-2000.m4s\n"))
        XCTAssertFalse(text.contains("PROGRAM-DATE-TIME"))
        XCTAssertTrue(text.hasSuffix("4000-5500.m4s\n#EXT-X-ENDLIST\n"))
    }
}
