import RailyardCore
import Testing

@testable import RailyardCLI

@Suite("KEY=VALUE parsing")
struct VariableAssignmentTests {
    @Test("splits at the first '='", arguments: [
        ("A=1", "A", "1"), ("URL=postgres://u:p@h/db?x=y", "URL", "postgres://u:p@h/db?x=y"), ("EMPTY=", "EMPTY", ""),
        ("_X9=a b", "_X9", "a b"),
    ])
    func parses(argument: String, key: String, value: String) throws {
        #expect(try VariableAssignment.parse(argument) == VariableAssignment(key: key, value: value))
    }

    @Test("rejects arguments without '=' or with a bad key", arguments: ["NOEQUALS", "=v", "1A=v", "A-B=v"])
    func rejects(argument: String) {
        #expect(throws: CLIError.self) { try VariableAssignment.parse(argument) }
    }

    @Test("builds one request from sets and deletes")
    func request() throws {
        let request = try VariableAssignment.request(setting: ["A=1", "B=2", "A=1"], deleting: ["C", "C"])
        #expect(request.set == ["A": "1", "B": "2"])
        #expect(request.delete == ["C"])
        let empty = try VariableAssignment.request(setting: [], deleting: [])
        #expect(empty.set == nil && empty.delete == nil)
    }

    @Test("a key set twice differently, or both set and deleted, is an error")
    func conflicts() {
        #expect(throws: CLIError.self) { try VariableAssignment.request(setting: ["A=1", "A=2"], deleting: []) }
        #expect(throws: CLIError.self) { try VariableAssignment.request(setting: ["A=1"], deleting: ["A"]) }
        #expect(throws: CLIError.self) { try VariableAssignment.request(setting: [], deleting: ["bad-key"]) }
    }
}
