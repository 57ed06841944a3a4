import NIOCore
import RTMP
import Testing

/// Inputs that crashed a fuzz target (FuzzTesting/Regressions/), decoded here by name.
@Suite struct RTMPFuzzRegressionTests {
    static func deleteStream(_ id: AMF0Value) -> RTMPCommand {
        RTMPCommand(CommandMessage(name: "deleteStream", transactionID: 5, commandObject: .null, arguments: [id]))
    }

    /// Fuzz target Command, input `deleteStream-id-2e48`: `UInt32(Double)` trapped on a stream id
    /// past UInt32.max; the same trap took `inf`, NaN and 4294967296. Such ids are a protocol
    /// error of that connection (the strict decoding a server uses), and `.other` to the lenient
    /// decoding clients use: never a trap. A fractional id rounds toward zero.
    @Test(arguments: [281_474_976_710_656, 4_294_967_296, .infinity, -.infinity, .nan, -1] as [Double])
    func deleteStreamWithAnImpossibleStreamIDIsRefused(_ id: Double) throws {
        let message = CommandMessage(name: "deleteStream", transactionID: 5, commandObject: .null, arguments: [.number(id)])
        #expect(throws: RTMPCommandError.self) { try RTMPCommand(decoding: message) }
        guard case .other = Self.deleteStream(.number(id)) else {
            Issue.record("lenient decoding of deleteStream(\(id)) should give .other")
            return
        }
    }

    @Test func deleteStreamWithAFractionalStreamIDRoundsTowardZero() {
        #expect(Self.deleteStream(.number(2.5)) == .deleteStream(transactionID: 5, streamID: 2))
    }

    @Test func deleteStreamWithAnOrdinaryStreamIDKeepsIt() {
        #expect(Self.deleteStream(.number(1)) == .deleteStream(transactionID: 5, streamID: 1))
        #expect(Self.deleteStream(.number(4_294_967_295)) == .deleteStream(transactionID: 5, streamID: 4_294_967_295))
    }
}
