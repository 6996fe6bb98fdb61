import Foundation

/// The API's one JSON dialect: camelCase property names, ISO-8601 dates.
enum RailyardJSON {
    /// An encoder for response bodies.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    /// A decoder for request bodies.
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
