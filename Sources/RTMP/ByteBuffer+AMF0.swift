import NIOCore

/// Errors decoding AMF0; each names what was wrong so a connection can be closed with a reason.
public enum AMF0Error: Error, Equatable, Sendable {
    case truncated
    case unknownMarker(UInt8)
    case nestingTooDeep
    case invalidUTF8
    case tooManyElements(Int)
}

/// What one AMF0 message may make the decoder build: nesting depth and elements in all (values,
/// properties and array entries together). Strings are bounded by the message itself, as every
/// length is checked against the bytes left. A hostile 8 MiB message of tiny properties would
/// otherwise become millions of values (hundreds of MiB) from one peer.
public struct AMF0DecodingBudget: Sendable, Equatable {
    public var maxDepth: Int
    /// Elements left to decode in this message.
    public var remainingElements: Int

    /// Defaults: 32 levels (real commands use 2 or 3), 65 536 elements per message (a real
    /// `onMetaData` has a few dozen; a recorded file's keyframe index a few thousand).
    public init(maxDepth: Int = 32, maxElements: Int = 65_536) {
        self.maxDepth = maxDepth
        self.remainingElements = maxElements
    }

    mutating func spend() throws(AMF0Error) {
        guard remainingElements > 0 else { throw .tooManyElements(0) }
        remainingElements -= 1
    }
}

/// AMF0 type markers (AMF0 specification, section 2.1).
enum AMF0Marker: UInt8 {
    case number = 0x00, boolean = 0x01, string = 0x02, object = 0x03, movieclip = 0x04
    case null = 0x05, undefined = 0x06, reference = 0x07, ecmaArray = 0x08, objectEnd = 0x09
    case strictArray = 0x0A, date = 0x0B, longString = 0x0C, unsupported = 0x0D
    case recordset = 0x0E, xmlDocument = 0x0F, typedObject = 0x10, avmPlusObject = 0x11
}

extension ByteBuffer {
    /// Reads one AMF0 value (AMF0 spec §2). Nesting is bounded so hostile input cannot exhaust the stack.
    public mutating func readAMF0Value(maxDepth: Int = 32) throws(AMF0Error) -> AMF0Value {
        var budget = AMF0DecodingBudget(maxDepth: maxDepth)
        return try readAMF0Value(budget: &budget)
    }

    /// Reads one AMF0 value, spending from `budget` (shared by all the values of one message).
    public mutating func readAMF0Value(budget: inout AMF0DecodingBudget) throws(AMF0Error) -> AMF0Value {
        try readAMF0Value(depth: budget.maxDepth, budget: &budget)
    }

    private mutating func readAMF0Value(depth maxDepth: Int, budget: inout AMF0DecodingBudget) throws(AMF0Error) -> AMF0Value {
        guard maxDepth > 0 else { throw .nestingTooDeep }
        try budget.spend()
        guard let markerByte = readInteger(as: UInt8.self) else { throw .truncated }
        guard let marker = AMF0Marker(rawValue: markerByte) else { throw .unknownMarker(markerByte) }
        switch marker {
        case .number:
            guard let bits = readInteger(as: UInt64.self) else { throw .truncated }
            return .number(Double(bitPattern: bits))
        case .boolean:
            guard let byte = readInteger(as: UInt8.self) else { throw .truncated }
            return .boolean(byte != 0)
        case .string:
            return .string(try readAMF0ShortString())
        case .longString:
            return .string(try readAMF0LongString())
        case .xmlDocument:
            return .xmlDocument(try readAMF0LongString())
        case .object:
            return .object(try readAMF0Properties(maxDepth: maxDepth, budget: &budget))
        case .typedObject:
            let className = try readAMF0ShortString()
            return .typedObject(className: className, try readAMF0Properties(maxDepth: maxDepth, budget: &budget))
        case .ecmaArray:
            // The count is only a hint (encoders get it wrong); the object-end marker terminates.
            guard readInteger(as: UInt32.self) != nil else { throw .truncated }
            return .ecmaArray(try readAMF0Properties(maxDepth: maxDepth, budget: &budget))
        case .strictArray:
            guard let count = readInteger(as: UInt32.self) else { throw .truncated }
            // Every element takes at least one byte: a count beyond what is left is a lie.
            guard Int(count) <= readableBytes, Int(count) <= budget.remainingElements else { throw .tooManyElements(Int(count)) }
            var elements: [AMF0Value] = []
            elements.reserveCapacity(Int(count))
            for _ in 0..<count { elements.append(try readAMF0Value(depth: maxDepth - 1, budget: &budget)) }
            return .strictArray(elements)
        case .date:
            guard let bits = readInteger(as: UInt64.self), let zone = readInteger(as: Int16.self) else { throw .truncated }
            return .date(Double(bitPattern: bits), timeZone: zone)
        case .reference:
            guard let index = readInteger(as: UInt16.self) else { throw .truncated }
            return .reference(index)
        case .null:
            return .null
        case .undefined, .unsupported:
            return .undefined
        case .objectEnd, .movieclip, .recordset, .avmPlusObject:
            throw .unknownMarker(markerByte)
        }
    }

    /// Writes one AMF0 value; strings longer than 65535 bytes use the long-string marker.
    @discardableResult
    public mutating func writeAMF0Value(_ value: AMF0Value) -> Int {
        let start = writerIndex
        switch value {
        case .number(let number):
            writeInteger(AMF0Marker.number.rawValue)
            writeInteger(number.bitPattern)
        case .boolean(let bool):
            writeInteger(AMF0Marker.boolean.rawValue)
            writeInteger(UInt8(bool ? 1 : 0))
        case .string(let string):
            if string.utf8.count > Int(UInt16.max) {
                writeInteger(AMF0Marker.longString.rawValue)
                writeAMF0LongString(string)
            } else {
                writeInteger(AMF0Marker.string.rawValue)
                writeAMF0ShortString(string)
            }
        case .xmlDocument(let xml):
            writeInteger(AMF0Marker.xmlDocument.rawValue)
            writeAMF0LongString(xml)
        case .object(let properties):
            writeInteger(AMF0Marker.object.rawValue)
            writeAMF0Properties(properties)
        case .typedObject(let className, let properties):
            writeInteger(AMF0Marker.typedObject.rawValue)
            writeAMF0ShortString(className)
            writeAMF0Properties(properties)
        case .ecmaArray(let properties):
            writeInteger(AMF0Marker.ecmaArray.rawValue)
            writeInteger(UInt32(properties.count))
            writeAMF0Properties(properties)
        case .strictArray(let elements):
            writeInteger(AMF0Marker.strictArray.rawValue)
            writeInteger(UInt32(elements.count))
            for element in elements { writeAMF0Value(element) }
        case .date(let millis, let zone):
            writeInteger(AMF0Marker.date.rawValue)
            writeInteger(millis.bitPattern)
            writeInteger(zone)
        case .reference(let index):
            writeInteger(AMF0Marker.reference.rawValue)
            writeInteger(index)
        case .null:
            writeInteger(AMF0Marker.null.rawValue)
        case .undefined:
            writeInteger(AMF0Marker.undefined.rawValue)
        }
        return writerIndex - start
    }

    /// UTF-8 with a 16-bit length (AMF0 spec §1.3 UTF-8).
    mutating func readAMF0ShortString() throws(AMF0Error) -> String {
        guard let length = readInteger(as: UInt16.self) else { throw .truncated }
        return try readAMF0UTF8(length: Int(length))
    }

    /// UTF-8 with a 32-bit length (AMF0 spec §1.3 UTF-8-long).
    mutating func readAMF0LongString() throws(AMF0Error) -> String {
        guard let length = readInteger(as: UInt32.self) else { throw .truncated }
        return try readAMF0UTF8(length: Int(length))
    }

    private mutating func readAMF0UTF8(length: Int) throws(AMF0Error) -> String {
        guard length <= readableBytes, let bytes = readBytes(length: length) else { throw .truncated }
        guard let string = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8 }
        return string
    }

    mutating func writeAMF0ShortString(_ string: String) {
        let utf8 = Array(string.utf8.prefix(Int(UInt16.max)))
        writeInteger(UInt16(utf8.count))
        writeBytes(utf8)
    }

    mutating func writeAMF0LongString(_ string: String) {
        writeInteger(UInt32(string.utf8.count))
        writeString(string)
    }

    private mutating func readAMF0Properties(maxDepth: Int, budget: inout AMF0DecodingBudget) throws(AMF0Error) -> [AMF0Property] {
        var properties: [AMF0Property] = []
        while true {
            let key = try readAMF0ShortString()
            if key.isEmpty, getInteger(at: readerIndex, as: UInt8.self) == AMF0Marker.objectEnd.rawValue {
                moveReaderIndex(forwardBy: 1)
                return properties
            }
            properties.append(AMF0Property(key, try readAMF0Value(depth: maxDepth - 1, budget: &budget)))
        }
    }

    private mutating func writeAMF0Properties(_ properties: [AMF0Property]) {
        for property in properties {
            writeAMF0ShortString(property.key)
            writeAMF0Value(property.value)
        }
        writeInteger(UInt16(0))
        writeInteger(AMF0Marker.objectEnd.rawValue)
    }
}
