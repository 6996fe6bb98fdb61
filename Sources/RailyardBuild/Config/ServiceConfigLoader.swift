import Foundation
import RailyardCore
import TOMLKit

/// Reads config as code — `railyard.toml`, `railway.toml` or `railway.json`, the first that exists —
/// into a `ServiceConfig`. A malformed file or a value of the wrong type is an `invalidInput` error
/// naming the file and the key; a key Railyard does not know is a warning, never an error, so a
/// file written for a newer Railway still deploys.
public enum ServiceConfigLoader {
    /// The files looked for at the app's root, in order of preference.
    public static let fileNames = ["railyard.toml", "railway.toml", "railway.json"]

    /// A config file as read: what it sets, where it came from, and what in it was ignored.
    public struct Loaded: Sendable, Equatable {
        /// The parsed keys (defaults when there was no file).
        public var config: ServiceConfig
        /// The file's name, or nil when there was none.
        public var file: String?
        /// One sentence per ignored key, naming its path.
        public var warnings: [String]
    }

    /// The config of the app whose files are `files` (defaults when there is no config file).
    public static func load(_ files: some SourceFiles) throws -> Loaded {
        for name in fileNames where files.exists(name) {
            guard let text = files.read(name) else {
                throw RailyardError(.invalidInput, "\(name) could not be read as UTF-8 text; save it as a UTF-8 file", field: name)
            }
            let json = try jsonData(text, fileName: name)
            let config = try decode(json, fileName: name, format: name.hasSuffix(".json") ? "JSON" : "TOML")
            return Loaded(config: config, file: name, warnings: ConfigKeys.warnings(json, fileName: name))
        }
        return Loaded(config: ServiceConfig(), file: nil, warnings: [])
    }

    /// Parses the text of a config file; the format follows the name's extension (`.json` or `.toml`).
    public static func parse(_ text: String, fileName: String) throws -> ServiceConfig {
        try decode(try jsonData(text, fileName: fileName), fileName: fileName, format: fileName.hasSuffix(".json") ? "JSON" : "TOML")
    }

    /// The keys a config file sets that Railyard ignores, one sentence each.
    public static func warnings(_ text: String, fileName: String) throws -> [String] {
        ConfigKeys.warnings(try jsonData(text, fileName: fileName), fileName: fileName)
    }

    /// Decodes and checks build and deploy settings sent to the API (JSON with the config file's
    /// shape, without `environments`): unknown keys, wrong types and values out of bounds are all
    /// refused, naming the key, because a request — unlike a file in a repository — can be fixed
    /// and sent again at once.
    public static func settings(_ json: Data) throws -> ServiceConfig {
        if let unknown = ConfigKeys.unknown(json).first {
            throw RailyardError(.invalidInput, unknown.rejection, field: unknown.path)
        }
        let config: ServiceConfig
        do {
            config = try JSONDecoder().decode(ServiceConfig.self, from: json)
        } catch let error as DecodingError {
            let described = describe(error, fileName: "the settings", format: "JSON")
            throw RailyardError(.invalidInput, described.message, field: described.field?.replacingOccurrences(of: "the settings:", with: ""))
        }
        guard config.environments.isEmpty else {
            throw RailyardError(
                .invalidInput, "settings apply to one environment, the one in the path; leave `environments` out", field: "environments"
            )
        }
        try config.validate()
        return config
    }

    /// The file's content as JSON: as is for `.json`, converted for `.toml`.
    private static func jsonData(_ text: String, fileName: String) throws -> Data {
        if fileName.hasSuffix(".json") {
            return Data(text.utf8)
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw RailyardError(
                .invalidInput,
                "\(fileName) is not valid TOML: \(error.description) at line \(error.source.begin.line), column \(error.source.begin.column)",
                field: fileName
            )
        }
        return Data(table.convert(to: .json, options: [.quoteDateAndTimes, .quoteInfinitesAndNaNs]).utf8)
    }

    private static func decode(_ data: Data, fileName: String, format: String) throws -> ServiceConfig {
        let config: ServiceConfig
        do {
            config = try JSONDecoder().decode(ServiceConfig.self, from: data)
        } catch let error as DecodingError {
            throw describe(error, fileName: fileName, format: format)
        }
        try config.validate(fieldPrefix: "\(fileName):")
        return config
    }

    private static func describe(_ error: DecodingError, fileName: String, format: String) -> RailyardError {
        switch error {
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let key = keyPath(context.codingPath)
            if key.isEmpty {
                return RailyardError(.invalidInput, "\(fileName) must hold a table of settings at the top level", field: fileName)
            }
            return RailyardError(.invalidInput, "\(fileName): `\(key)` must be \(describe(type))", field: "\(fileName):\(key)")
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            let key = keyPath(context.codingPath)
            var message = "\(fileName): `\(key)` has a value that is not allowed"
            if key.hasSuffix("restartPolicyType") {
                let allowed = ServiceConfig.RestartPolicyType.allCases.map(\.rawValue).joined(separator: ", ")
                message = "\(fileName): `\(key)` must be one of \(allowed)"
            } else if key.hasSuffix("cpuLimit") {
                message = "\(fileName): `\(key)` must be a number of CPUs like 0.5, or millicores like \"500m\""
            }
            return RailyardError(.invalidInput, message, field: "\(fileName):\(key)")
        case .dataCorrupted(let context):
            let reason = (context.underlyingError as NSError?)?.localizedDescription ?? context.debugDescription
            return RailyardError(.invalidInput, "\(fileName) is not valid \(format): \(reason)", field: fileName)
        case .keyNotFound(let key, let context):
            let path = keyPath(context.codingPath + [key])
            return RailyardError(.invalidInput, "\(fileName): `\(path)` is missing", field: "\(fileName):\(path)")
        @unknown default:
            return RailyardError(.invalidInput, "\(fileName) could not be read: \(error)", field: fileName)
        }
    }

    private static func keyPath(_ path: [any CodingKey]) -> String {
        path.reduce(into: "") { result, key in
            if let index = key.intValue {
                result += "[\(index)]"
            } else {
                result += result.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: return "a whole number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        case is [String].Type: return "a list of strings"
        default: return "a table of settings"
        }
    }
}
