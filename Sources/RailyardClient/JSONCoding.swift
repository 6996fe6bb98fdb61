import Foundation

/// The JSON conventions of the Railyard API: camelCase keys, dates as ISO-8601 strings.
public enum RailyardJSON {
    /// An encoder for request bodies and for CLI `--json` output (sorted keys, pretty when asked).
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys]
        return encoder
    }

    /// A decoder that accepts ISO-8601 dates with or without fractional seconds.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = parseDate(text) { return date }
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not an ISO-8601 date"
            )
        }
        return decoder
    }

    /// Parses an ISO-8601 timestamp such as `2026-01-02T03:04:05Z` or `2026-01-02T03:04:05.678Z`.
    public static func parseDate(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
