import HTTPMedia
import XCTest

final class LLHLSPlaylistTests: XCTestCase {
    private func fill(_ playlist: inout LLHLSPlaylist, segments: Int, partsPerSegment: Int = 4, generation: Int = 1) -> LLHLSPlaylist.Evicted {
        var evicted = LLHLSPlaylist.Evicted()
        for _ in 0..<segments {
            for index in 0..<partsPerSegment {
                let result = playlist.append(duration: 0.25, isIndependent: index == 0, endsSegment: index == partsPerSegment - 1,
                                             generation: generation)
                evicted.segments += result.evicted.segments
                evicted.parts += result.evicted.parts
            }
        }
        return evicted
    }

    func testRendersPartsSegmentsAndPreloadHint() {
        var playlist = LLHLSPlaylist(partTarget: 0.25, segmentTarget: 1, windowSegments: 5)
        _ = fill(&playlist, segments: 2)
        _ = playlist.append(duration: 0.25, isIndependent: true, endsSegment: false, generation: 1)
        let text = playlist.render()
        XCTAssertTrue(text.hasPrefix("#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:1\n"))
        XCTAssertTrue(text.contains("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0.750\n"))
        XCTAssertTrue(text.contains("#EXT-X-PART-INF:PART-TARGET=0.250\n"))
        XCTAssertTrue(text.contains("#EXT-X-MEDIA-SEQUENCE:0\n"))
        XCTAssertTrue(text.contains("#EXT-X-MAP:URI=\"init1.mp4\"\n"))
        XCTAssertTrue(text.contains("#EXT-X-PART:DURATION=0.250,URI=\"p0.m4s\",INDEPENDENT=YES\n#EXT-X-PART:DURATION=0.250,URI=\"p1.m4s\"\n"))
        XCTAssertTrue(text.contains("#EXTINF:1.000,\ns0.m4s\n"))
        XCTAssertTrue(text.contains("#EXTINF:1.000,\ns1.m4s\n#EXT-X-PART:DURATION=0.250,URI=\"p8.m4s\",INDEPENDENT=YES\n"))
        XCTAssertTrue(text.hasSuffix("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p9.m4s\"\n"))
        XCTAssertFalse(text.contains("s2.m4s"), "the open segment is listed by its parts only")
    }

    func testWindowEvictsOldSegmentsAndTheirParts() {
        var playlist = LLHLSPlaylist(partTarget: 0.25, segmentTarget: 1, windowSegments: 3)
        let evicted = fill(&playlist, segments: 5)
        XCTAssertEqual(evicted.segments, [0, 1])
        XCTAssertEqual(evicted.parts, Array(0..<8))
        XCTAssertEqual(playlist.segments.map(\.sequenceNumber), [2, 3, 4])
        XCTAssertTrue(playlist.render().contains("#EXT-X-MEDIA-SEQUENCE:2\n"))
    }

    func testBlockingReloadConditions() {
        var playlist = LLHLSPlaylist(partTarget: 0.25, segmentTarget: 1)
        XCTAssertFalse(playlist.satisfies(msn: 0, part: 0))
        _ = playlist.append(duration: 0.25, isIndependent: true, endsSegment: false, generation: 1)
        XCTAssertTrue(playlist.satisfies(msn: 0, part: 0))
        XCTAssertFalse(playlist.satisfies(msn: 0, part: 1))
        XCTAssertFalse(playlist.satisfies(msn: 0, part: nil), "segment 0 is not complete")
        _ = playlist.append(duration: 0.25, isIndependent: false, endsSegment: true, generation: 1)
        XCTAssertTrue(playlist.satisfies(msn: 0, part: nil))
        XCTAssertFalse(playlist.satisfies(msn: 1, part: 0))
        _ = playlist.append(duration: 0.25, isIndependent: true, endsSegment: false, generation: 1)
        XCTAssertTrue(playlist.satisfies(msn: 1, part: 0))
        XCTAssertTrue(playlist.satisfies(msn: 0, part: 5), "a later segment answers an earlier request")
        XCTAssertFalse(playlist.isTooFarAhead(msn: 3))
        XCTAssertTrue(playlist.isTooFarAhead(msn: 4))
    }

    func testDiscontinuityOnlyWhereTheGenerationChanges() {
        var playlist = LLHLSPlaylist(partTarget: 0.25, segmentTarget: 1)
        _ = fill(&playlist, segments: 2, generation: 1)
        _ = fill(&playlist, segments: 1, generation: 2)
        let text = playlist.render()
        XCTAssertEqual(text.components(separatedBy: "#EXT-X-DISCONTINUITY\n").count, 2)
        XCTAssertTrue(text.contains("s1.m4s\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init2.mp4\"\n"))
    }

    func testTargetDurationCoversLongGOPs() {
        var playlist = LLHLSPlaylist(partTarget: 0.5, segmentTarget: 1)
        for index in 0..<9 { _ = playlist.append(duration: 0.5, isIndependent: index == 0, endsSegment: index == 8, generation: 1) }
        XCTAssertEqual(playlist.targetDuration, 5)
    }
}
