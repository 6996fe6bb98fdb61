import ArgumentParser
import RailyardClient
import RailyardCore

/// `railyard variables`: lists, sets and deletes a service's variables (or an environment's shared
/// ones) in the linked or named environment.
struct VariablesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "variables",
        abstract: "Show or change variables of a service or of an environment.",
        discussion: "Values are masked unless --reveal is given. --set and --delete change several keys at once, atomically."
    )

    @Option(help: "The service's name or id (default: the linked service).")
    var service: String?
    @Option(help: "The environment's name or id (default: the linked environment).")
    var environment: String?
    @Option(parsing: .upToNextOption, help: "Set variables: KEY=VALUE, repeatable.")
    var set: [String] = []
    @Option(parsing: .upToNextOption, help: "Delete variables by key, repeatable.")
    var delete: [String] = []
    @Flag(help: "Show values instead of masks.")
    var reveal = false
    @Flag(help: "Use the environment's shared variables instead of a service's.")
    var shared = false
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if shared, service != nil {
            throw ValidationError("pass either --service or --shared, not both")
        }
    }

    func run() async throws {
        let context = try CommandContext.load()
        let link = try context.requireLink().link
        let client = try context.client()
        let target = try await VariablesTarget.resolve(
            client: client, context: context, link: link, service: service, environment: environment, shared: shared
        )
        let change = try VariableAssignment.request(setting: set, deleting: delete)
        var list: VariableList
        if change.set != nil || change.delete != nil {
            list = try await target.update(client, change)
            if reveal { list = try await target.list(client, reveal: true) }
            if !output.json {
                let setKeys = change.set.map { $0.keys.sorted() } ?? []
                var parts: [String] = []
                if !setKeys.isEmpty { parts.append("set \(setKeys.joined(separator: ", "))") }
                if let deleted = change.delete { parts.append("deleted \(deleted.joined(separator: ", "))") }
                Output.line("Variables of \(target.label): \(parts.joined(separator: "; "))")
                if let users = list.usedBy, !users.isEmpty {
                    Output.line("Referred to by \(users.joined(separator: ", ")); they see the change once redeployed:")
                    for user in users { Output.line("  railyard redeploy --service \(user)") }
                }
                return
            }
        } else {
            list = try await target.list(client, reveal: reveal)
        }
        if output.json {
            try Output.json(list)
        } else if list.variables.isEmpty {
            Output.line("No variables for \(target.label)")
        } else {
            Output.line("Variables of \(target.label):")
            let rows = list.variables.map { [$0.key, $0.value] }
            Output.line(TextTable(header: ["KEY", "VALUE"], rows: rows).render())
        }
    }
}
