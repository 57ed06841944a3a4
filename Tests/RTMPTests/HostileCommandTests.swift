import NIOCore
import Testing
@testable import RTMP

/// Numbers and AMF0 a hostile peer sends: never a trap, always an error of that connection.
@Suite struct HostileCommandTests {
    @Test func networkNumberConversionNeverTraps() {
        #expect(UInt32(networkNumber: 4_294_967_296) == nil)
        #expect(UInt32(networkNumber: 4_294_967_295) == UInt32.max)
        #expect(UInt32(networkNumber: .infinity) == nil)
        #expect(UInt32(networkNumber: -.infinity) == nil)
        #expect(UInt32(networkNumber: .nan) == nil)
        #expect(UInt32(networkNumber: -1) == nil)
        #expect(UInt32(networkNumber: 1.9) == 1)
        #expect(Int(networkNumber: 1e300) == nil)
        #expect(Int(networkNumber: -1e300) == nil)
        #expect(Int64(networkNumber: 9.3e18) == nil)
        #expect(Int(networkNumber: -0.5) == 0)
        #expect(Int(networkNumber: 1920, in: 1...65_535) == 1920)
        #expect(Int(networkNumber: 0, in: 1...65_535) == nil)
        #expect(Double.nan.finite(in: 0...1000) == nil)
        #expect(1e300.finite(in: 0...1000) == nil)
        #expect(30.0.finite(in: 0...1000) == 30)
    }

    func decode(_ name: String, _ arguments: [AMF0Value], transactionID: Double = 0) throws -> RTMPCommand {
        try RTMPCommand(decoding: CommandMessage(message: CommandMessage(name: name, transactionID: transactionID, arguments: arguments).message()))
    }

    @Test func deleteStreamWithAnImpossibleIDIsAProtocolError() throws {
        // Each of these trapped `UInt32(Double)` and took the relay down.
        for id in [4_294_967_296, .infinity, -.infinity, .nan, 1e300, -5] as [Double] {
            #expect(throws: RTMPCommandError.self) { try decode("deleteStream", [.number(id)]) }
            // The lenient decoding used by clients gives `.other`, never a trap.
            guard case .other = RTMPCommand(CommandMessage(name: "deleteStream", transactionID: 0, arguments: [.number(id)])) else {
                Issue.record("lenient decoding of deleteStream(\(id)) should give .other")
                continue
            }
        }
        #expect(try decode("deleteStream", [1]) == .deleteStream(transactionID: 0, streamID: 1))
    }

    @Test func timesAreClampedNeverTrapped() throws {
        // A player's times are tolerated (VOD clamps them further): NaN is absent, the rest clamped.
        let limit = RTMPCommand.maxMilliseconds
        #expect(try decode("play", ["live", .number(.nan)]) == .play(transactionID: 0, name: "live", start: nil))
        #expect(try decode("play", ["live", 1e300, .number(.nan), .number(.infinity)]) == .play(transactionID: 0, name: "live", start: limit, length: nil))
        #expect(try decode("seek", [.number(-.infinity)]) == .seek(transactionID: 0, milliseconds: -limit))
        #expect(try decode("seek", [.number(.nan)]) == .seek(transactionID: 0, milliseconds: 0))
        #expect(try decode("pause", [true, 1e300]) == .pause(transactionID: 0, paused: true, milliseconds: limit))
        for bad in [Double.nan, .infinity, -.infinity] {
            #expect(throws: RTMPCommandError.self) { try decode("createStream", [], transactionID: bad) }
        }
        #expect(try decode("play", ["live", -1000, -1, true]) == .play(transactionID: 0, name: "live", start: -1000, length: -1))
        #expect(try decode("seek", [5000]) == .seek(transactionID: 0, milliseconds: 5000))
        #expect(try decode("pause", [false, 12]) == .pause(transactionID: 0, paused: false, milliseconds: 12))
        let error = RTMPCommandError(command: "deleteStream", argument: "stream id", value: 4_294_967_296)
        #expect(error.description == "deleteStream: invalid stream id 4294967296.0")
    }

    @Test func amf0ElementBudgetBoundsOneMessage() {
        // An ECMA array of 100 000 one-byte-keyed numbers: 1.1 MB on the wire, far more in memory.
        var buffer = ByteBuffer()
        buffer.writeAMF0Value("onMetaData")
        buffer.writeInteger(AMF0Marker.ecmaArray.rawValue)
        buffer.writeInteger(UInt32(0))
        for _ in 0..<100_000 {
            buffer.writeInteger(UInt16(1)); buffer.writeInteger(UInt8(0x61))
            buffer.writeInteger(AMF0Marker.null.rawValue)
        }
        buffer.writeInteger(UInt16(0)); buffer.writeInteger(AMF0Marker.objectEnd.rawValue)
        #expect(throws: AMF0Error.tooManyElements(0)) {
            try DataMessage(message: RTMPMessage(typeID: 18, streamID: 0, timestamp: 0, payload: buffer))
        }
        // A strict array declaring more elements than the budget is refused before reserving.
        var strict = ByteBuffer()
        strict.writeInteger(AMF0Marker.strictArray.rawValue)
        strict.writeInteger(UInt32(70_000))
        strict.writeRepeatingByte(AMF0Marker.null.rawValue, count: 70_000)
        #expect(throws: AMF0Error.tooManyElements(70_000)) { try strict.readAMF0Value() }
        // Deep nesting and lying string lengths.
        var deep = ByteBuffer()
        for _ in 0..<40 { deep.writeInteger(AMF0Marker.strictArray.rawValue); deep.writeInteger(UInt32(1)) }
        deep.writeInteger(AMF0Marker.null.rawValue)
        #expect(throws: AMF0Error.nestingTooDeep) { try deep.readAMF0Value() }
        var long = ByteBuffer()
        long.writeInteger(AMF0Marker.longString.rawValue)
        long.writeInteger(UInt32.max)
        long.writeString("abc")
        #expect(throws: AMF0Error.truncated) { try long.readAMF0Value() }
    }

    @Test func realMetadataFitsTheBudget() throws {
        let metadata: AMF0Value = .ecmaArray((0..<2000).map { AMF0Property("k\($0)", .number(Double($0))) })
        let message = DataMessage(values: ["onMetaData", metadata])
        let decoded = try DataMessage(message: RTMPMessage(typeID: 18, streamID: 0, timestamp: 0, payload: message.payload))
        #expect(decoded == message)
    }
}
