import Foundation
import Hummingbird
import NIOCore
import RailyardCore

extension Request {
    /// Decodes the JSON body as `type`, turning a malformed body into `invalid_input` that names
    /// the offending field.
    func decodeJSON<T: Decodable>(as type: T.Type, context: some RequestContext) async throws -> T {
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else {
            throw RailyardError(.invalidInput, "the request body must be a JSON object; it was empty")
        }
        do {
            return try RailyardJSON.decoder().decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw RailyardError(decoding: error)
        }
    }

    /// The value of a query parameter, if present.
    func query(_ name: String) -> String? {
        uri.queryParameters.get(name)
    }
}

extension RailyardError {
    /// An `invalid_input` error describing why a JSON body could not be read.
    init(decoding error: DecodingError) {
        func path(_ codingPath: [any CodingKey], plus key: (any CodingKey)? = nil) -> String? {
            let keys = (codingPath + (key.map { [$0] } ?? [])).map { $0.intValue.map(String.init) ?? $0.stringValue }
            return keys.isEmpty ? nil : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath, plus: key) ?? key.stringValue
            self.init(.invalidInput, "\(field) is required", field: field)
        case .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            self.init(.invalidInput, "\(field ?? "body") must be a \(Self.typeName(type)), not null", field: field)
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            self.init(.invalidInput, "\(field ?? "body") must be a \(Self.typeName(type))", field: field)
        case .dataCorrupted(let context):
            if let field = path(context.codingPath) {
                self.init(.invalidInput, "\(field) has an invalid value", field: field)
            } else {
                self.init(.invalidInput, "the request body is not valid JSON")
            }
        @unknown default:
            self.init(.invalidInput, "the request body could not be read as JSON")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "string"
        case is Bool.Type: "boolean"
        case is Int.Type, is Double.Type: "number"
        case is [Any].Type: "array"
        case is [String: Any].Type: "JSON object"
        default: "\(type)".lowercased().contains("dictionary") ? "JSON object" : "value of the expected type"
        }
    }
}
