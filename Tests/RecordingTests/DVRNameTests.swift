import Testing
@testable import Recording

@Suite struct DVRNameTests {
    @Test(arguments: ["livestream", "live.stream-1_a", "../../etc/passwd", "..", ".", "a/b", "100%", "café", "a\0b", ".hidden"])
    func directoryNamesStayInsideAndRoundTrip(_ stream: String) throws {
        let name = try #require(DVRName.directoryName(forStream: stream))
        #expect(!name.contains("/"))
        #expect(!name.hasPrefix("."))
        #expect(name != "." && name != "..")
        #expect(DVRName.streamName(forDirectory: name) == stream)
    }

    @Test func plainNamesAreKept() {
        #expect(DVRName.directoryName(forStream: "livestream") == "livestream")
        #expect(DVRName.directoryName(forStream: "../x") == "%2E.%2Fx")
    }

    @Test func rejectsEmptyAndOverlongNames() {
        #expect(DVRName.directoryName(forStream: "") == nil)
        #expect(DVRName.directoryName(forStream: String(repeating: "a", count: 201)) == nil)
    }

    @Test func foreignDirectoryNamesAreNotRecordings() {
        #expect(DVRName.streamName(forDirectory: "%2e") == nil)
        #expect(DVRName.streamName(forDirectory: "a%2") == nil)
        #expect(DVRName.streamName(forDirectory: "%61") == nil, "not the canonical spelling of 'a'")
    }

    @Test func segmentNames() {
        #expect(DVRName.segmentFile(1) == "seg-00000001.flv")
        #expect(DVRName.segmentNumber(fromFile: "seg-00000042.flv") == 42)
        #expect(DVRName.segmentNumber(fromFile: "seg-42.flv") == nil)
        #expect(DVRName.segmentNumber(fromFile: "index.dvx") == nil)
    }
}
