import RailyardCore

/// A `KEY=VALUE` argument of `railyard variables --set`.
public struct VariableAssignment: Sendable, Equatable {
    public var key: String
    public var value: String

    /// An assignment of `value` to `key`.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// Splits at the first `=` (values may contain `=`) and checks the key as the server would.
    public static func parse(_ argument: String) throws -> VariableAssignment {
        guard let equals = argument.firstIndex(of: "=") else {
            throw CLIError("'\(argument)' is not KEY=VALUE; write e.g. --set PORT=8080")
        }
        let key = String(argument[..<equals])
        let value = String(argument[argument.index(after: equals)...])
        do {
            try Validation.variableKey(key)
        } catch {
            throw CLIError(error.message)
        }
        return VariableAssignment(key: key, value: value)
    }

    /// The request for a set of assignments and deletions; a key both set and deleted, or set twice
    /// with different values, is an error.
    public static func request(setting arguments: [String], deleting keys: [String]) throws -> UpdateVariablesRequest {
        var set: [String: String] = [:]
        for assignment in try arguments.map(parse) {
            if let previous = set[assignment.key], previous != assignment.value {
                throw CLIError("\(assignment.key) is set twice with different values; set it once")
            }
            set[assignment.key] = assignment.value
        }
        for key in keys {
            do {
                try Validation.variableKey(key)
            } catch {
                throw CLIError(error.message)
            }
            if set[key] != nil {
                throw CLIError("\(key) is both set and deleted; choose one")
            }
        }
        let deletions = Array(Set(keys)).sorted()
        return UpdateVariablesRequest(set: set.isEmpty ? nil : set, delete: deletions.isEmpty ? nil : deletions)
    }
}
