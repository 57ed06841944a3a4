import NIOCore
import RTMP
import Testing

/// Inputs that crashed a fuzz target (FuzzTesting/Regressions/), decoded here by name.
@Suite struct RTMPFuzzRegressionTests {
    static func deleteStream(_ id: AMF0Value) -> RTMPCommand {
        RTMPCommand(CommandMessage(name: "deleteStream", transactionID: 5, commandObject: .null, arguments: [id]))
    }

    /// Fuzz target Command, input `deleteStream-id-2e48`: `UInt32(Double)` trapped on a stream id
    /// past UInt32.max; the same trap took `inf`, NaN and 4294967296. Such ids name no stream.
    @Test(arguments: [281_474_976_710_656, 4_294_967_296, .infinity, -.infinity, .nan, -1, 2.5])
    func deleteStreamWithAnImpossibleStreamIDNamesNoStream(_ id: Double) {
        #expect(Self.deleteStream(.number(id)) == .deleteStream(transactionID: 5, streamID: 0))
    }

    @Test func deleteStreamWithAnOrdinaryStreamIDKeepsIt() {
        #expect(Self.deleteStream(.number(1)) == .deleteStream(transactionID: 5, streamID: 1))
        #expect(Self.deleteStream(.number(4_294_967_295)) == .deleteStream(transactionID: 5, streamID: 4_294_967_295))
    }
}
