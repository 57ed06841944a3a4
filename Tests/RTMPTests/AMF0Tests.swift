import NIOCore
import Testing
@testable import RTMP

@Suite struct AMF0Tests {
    static let table: [(String, [UInt8], AMF0Value)] = [
        ("number", [0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0], .number(1)),
        ("boolean", [0x01, 0x01], .boolean(true)),
        ("string", [0x02, 0x00, 0x02, 0x68, 0x69], .string("hi")),
        ("null", [0x05], .null),
        ("undefined", [0x06], .undefined),
        ("reference", [0x07, 0x00, 0x03], .reference(3)),
        ("object", [0x03, 0x00, 0x01, 0x61, 0x05, 0x00, 0x00, 0x09], .object([AMF0Property("a", .null)])),
        ("ecma array", [0x08, 0, 0, 0, 1, 0x00, 0x01, 0x62, 0x01, 0x00, 0x00, 0x00, 0x09], .ecmaArray([AMF0Property("b", .boolean(false))])),
        ("strict array", [0x0A, 0, 0, 0, 2, 0x05, 0x06], .strictArray([.null, .undefined])),
        ("date", [0x0B, 0x40, 0x59, 0, 0, 0, 0, 0, 0, 0x00, 0x00], .date(100, timeZone: 0)),
    ]

    @Test(arguments: table.map { $0.0 })
    func decodesAndEncodesTheSameBytes(_ name: String) throws {
        let (_, bytes, value) = Self.table.first { $0.0 == name }!
        var buffer = ByteBuffer(bytes: bytes)
        #expect(try buffer.readAMF0Value() == value)
        #expect(buffer.readableBytes == 0)
        var out = ByteBuffer()
        out.writeAMF0Value(value)
        #expect(Array(out.readableBytesView) == bytes)
    }

    @Test func longStringRoundTrips() throws {
        let long = String(repeating: "x", count: 70_000)
        var buffer = ByteBuffer()
        buffer.writeAMF0Value(.string(long))
        #expect(buffer.getInteger(at: 0, as: UInt8.self) == 0x0C)
        #expect(try buffer.readAMF0Value() == .string(long))
    }

    @Test func nestedValuesRoundTrip() throws {
        let value: AMF0Value = .object(["list": .strictArray([1, "two", .ecmaArray([AMF0Property("k", true)])]), "n": 2.5])
        var buffer = ByteBuffer()
        buffer.writeAMF0Value(value)
        #expect(try buffer.readAMF0Value() == value)
    }

    @Test func hostileInputIsRejectedNotCrashed() {
        var deep = ByteBuffer(bytes: [UInt8](repeating: 0x0A, count: 1) + [0, 0, 0, 1])
        for _ in 0..<100 { deep.writeBytes([0x0A, 0, 0, 0, 1]) }
        #expect(throws: AMF0Error.self) { try deep.readAMF0Value() }
        var lyingCount = ByteBuffer(bytes: [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x05])
        #expect(throws: AMF0Error.tooManyElements(Int(UInt32.max))) { try lyingCount.readAMF0Value() }
        var truncated = ByteBuffer(bytes: [0x02, 0x00, 0x10, 0x41])
        #expect(throws: AMF0Error.truncated) { try truncated.readAMF0Value() }
        var badMarker = ByteBuffer(bytes: [0x42])
        #expect(throws: AMF0Error.unknownMarker(0x42)) { try badMarker.readAMF0Value() }
    }
}
