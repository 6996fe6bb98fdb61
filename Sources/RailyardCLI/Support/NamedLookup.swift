/// Finds one of several things (projects, environments, services) by id or by name, with errors
/// that list what exists.
public enum NamedLookup {
    /// The item whose id equals `query`, else the one whose name does; an error when none or several match.
    public static func find<Item>(
        _ query: String, in items: [Item], kind: String, id: (Item) -> String, name: (Item) -> String
    ) throws -> Item {
        if let match = items.first(where: { id($0) == query }) { return match }
        let named = items.filter { name($0) == query }
        if named.count == 1 { return named[0] }
        if named.count > 1 {
            let ids = named.map(id).joined(separator: ", ")
            throw CLIError("several \(kind)s are named '\(query)'; pass one of their ids instead: \(ids)")
        }
        let known = items.map(name).sorted()
        let hint = known.isEmpty ? "there are none yet" : "known: \(known.joined(separator: ", "))"
        throw CLIError("no \(kind) named '\(query)' (\(hint))")
    }
}
