/// An AMF0 value (Action Message Format 0, Adobe AMF0 specification, section 2).
///
/// Objects and ECMA arrays keep their properties in wire order, so re-encoding a decoded value
/// gives back the same bytes.
public indirect enum AMF0Value: Sendable, Equatable {
    case number(Double)
    case boolean(Bool)
    /// A string or long string; the encoder picks the marker by length.
    case string(String)
    case object([AMF0Property])
    case null
    case undefined
    /// Index into the table of complex values already read in the same message.
    case reference(UInt16)
    case ecmaArray([AMF0Property])
    case strictArray([AMF0Value])
    /// Milliseconds since the Unix epoch, and the (unused, always 0) time-zone field.
    case date(Double, timeZone: Int16)
    case xmlDocument(String)
    case typedObject(className: String, [AMF0Property])

    /// The value of `key` when this is an object, an ECMA array or a typed object.
    public subscript(key: String) -> AMF0Value? {
        switch self {
        case .object(let properties), .ecmaArray(let properties), .typedObject(_, let properties):
            return properties.first { $0.key == key }?.value
        default:
            return nil
        }
    }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var numberValue: Double? { if case .number(let n) = self { return n } else { return nil } }
    public var boolValue: Bool? { if case .boolean(let b) = self { return b } else { return nil } }
}

/// One key/value pair of an AMF0 object or ECMA array.
public struct AMF0Property: Sendable, Equatable {
    public var key: String
    public var value: AMF0Value
    public init(_ key: String, _ value: AMF0Value) {
        self.key = key
        self.value = value
    }
}

extension AMF0Value: ExpressibleByStringLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
}

extension AMF0Value {
    /// Builds an anonymous object from ordered pairs.
    public static func object(_ pairs: KeyValuePairs<String, AMF0Value>) -> AMF0Value {
        .object(pairs.map { AMF0Property($0.key, $0.value) })
    }
}
