import Foundation
import RailyardClient
import RailyardCore
import Testing

@testable import RailyardCLI

@Suite("Output formatting")
struct OutputTests {
    @Test("tables pad columns and trim trailing spaces")
    func table() {
        let table = TextTable(header: ["KEY", "VALUE"], rows: [["A", "1"], ["LONGER_KEY", ""]])
        #expect(table.render() == "KEY         VALUE\nA           1\nLONGER_KEY")
    }

    @Test("errors become one line starting with 'error:'")
    func errorLines() {
        let api = RailyardClientError(status: 401, error: RailyardError(.unauthorized, "email or password is wrong"))
        #expect(Output.errorLine(for: api) == "error: email or password is wrong")
        #expect(Output.errorLine(for: CLIError("two\nlines")) == "error: two lines")
        #expect(Output.errorLine(for: RailyardError.invalid("name", "bad name")) == "error: bad name (field: name)")
        #expect(Output.errorLine(for: CancellationError()) == nil)
    }

    @Test("lookups match by id first, then by name, and list names when nothing matches")
    func lookup() throws {
        struct Item { var id: String; var name: String }
        let items = [Item(id: "1", name: "web"), Item(id: "2", name: "api"), Item(id: "3", name: "api")]
        #expect(try NamedLookup.find("web", in: items, kind: "service", id: \.id, name: \.name).id == "1")
        #expect(try NamedLookup.find("3", in: items, kind: "service", id: \.id, name: \.name).name == "api")
        #expect(throws: CLIError.self) { try NamedLookup.find("api", in: items, kind: "service", id: \.id, name: \.name) }
        do {
            _ = try NamedLookup.find("db", in: items, kind: "service", id: \.id, name: \.name)
        } catch let error as CLIError {
            #expect(error.message == "no service named 'db' (known: api, api, web)")
        }
    }
}
