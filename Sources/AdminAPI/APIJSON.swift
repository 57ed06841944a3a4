import Foundation

/// The API's one JSON configuration: ISO 8601 dates, sorted keys.
public enum APIJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(value))
    }

    /// Decodes a request body; any failure is a 400 naming what was wrong.
    public static func decodeBody<T: Decodable>(_ type: T.Type, from body: [UInt8]) throws(APIError) -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(T.self, from: Data(body))
        } catch let DecodingError.dataCorrupted(context) {
            throw .badRequest("malformed JSON body: \(context.debugDescription)")
        } catch {
            throw .badRequest("invalid JSON body: \(error)")
        }
    }
}
