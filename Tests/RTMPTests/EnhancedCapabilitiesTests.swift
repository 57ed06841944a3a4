import RTMP
import Testing

@Suite struct EnhancedCapabilitiesTests {
    @Test func legacyConnectAnnouncesNothing() {
        #expect(EnhancedCapabilities(commandObject: .object(["app": "live", "videoCodecs": 252])) == nil)
    }

    @Test func fourCcListIsAnsweredWithWhatWeForward() throws {
        let client = try #require(EnhancedCapabilities(commandObject: .object([
            "app": "live", "fourCcList": .strictArray(["hvc1", "av01", "vvc1", "Opus"]), "capsEx": 2,
        ])))
        #expect(client.videoFourCCs.keys.sorted() == ["av01", "hvc1", "vvc1"])
        #expect(client.audioFourCCs.keys.sorted() == ["Opus"])
        #expect(client.supportsMultitrack)
        let answer = EnhancedCapabilities.relay.answer(to: client)
        #expect(answer.videoFourCCs == ["av01": 4, "hvc1": 4])
        #expect(answer.audioFourCCs == ["Opus": 4])
        #expect(answer.capsEx == EnhancedCapabilities.multitrack)
    }

    @Test func infoMapsAndWildcard() throws {
        let client = try #require(EnhancedCapabilities(commandObject: .object([
            "videoFourCcInfoMap": .object(["*": 1]), "audioFourCcInfoMap": .ecmaArray([AMF0Property("Opus", 3)]), "capsEx": 0,
        ])))
        #expect(client.videoFourCCs == ["*": 1])
        #expect(client.audioFourCCs == ["Opus": 3])
        let answer = EnhancedCapabilities.relay.answer(to: client)
        #expect(answer.videoFourCCs.keys.sorted() == ["av01", "avc1", "hvc1", "vp09"])
        #expect(!answer.supportsMultitrack)
    }

    @Test func connectCarriesOurCapabilitiesAndTheResultEchoes() throws {
        let connect = ClientRequests.connect(app: "live", tcUrl: "rtmp://h/live", enhanced: .relay)
        let parsed = try #require(EnhancedCapabilities(commandObject: connect.commandObject))
        #expect(parsed.videoFourCCs.keys.sorted() == ["av01", "avc1", "hvc1", "vp09"])
        #expect(parsed.capsEx == EnhancedCapabilities.relay.capsEx)
        let result = StatusMessages.connectSuccess(transactionID: 1, objectEncoding: 0, enhanced: EnhancedCapabilities.relay.answer(to: parsed))
        #expect(result.commandObject["fmsVer"]?.stringValue != nil)
        #expect(EnhancedCapabilities(commandObject: result.commandObject) == EnhancedCapabilities.relay)
        // A legacy client's result stays as it was.
        #expect(StatusMessages.connectSuccess(transactionID: 1, objectEncoding: 0).commandObject["fourCcList"] == nil)
    }

    @Test func hostileValuesAreClamped() throws {
        let client = try #require(EnhancedCapabilities(commandObject: .object([
            "capsEx": .number(.infinity), "videoFourCcInfoMap": .object(["hvc1": .number(-1e300)]),
        ])))
        #expect(client.capsEx == 0)
        #expect(client.videoFourCCs == ["hvc1": 0])
    }
}
