import ArgumentParser
import RailyardCore

/// `railyard environment`: shows the linked environment and lists the project's environments;
/// its subcommands create, duplicate and switch.
struct EnvironmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "environment",
        abstract: "Show, create, duplicate or switch the linked environment.",
        subcommands: [EnvironmentShowCommand.self, EnvironmentNewCommand.self, EnvironmentDuplicateCommand.self, EnvironmentUseCommand.self],
        defaultSubcommand: EnvironmentShowCommand.self
    )

    /// Creates an environment in the linked project and switches this folder's link to it.
    static func create(name: String, duplicateFrom: String?, json: Bool) async throws {
        var context = try CommandContext.load()
        let (path, link) = try context.requireLink()
        let client = try context.client()
        let environment = try await client.createEnvironment(
            projectId: link.projectId, CreateEnvironmentRequest(name: name, duplicateFrom: duplicateFrom)
        )
        context.config.links[path]?.environmentId = environment.id
        try context.save()
        if json {
            try Output.json(environment)
        } else {
            let copied = duplicateFrom.map { " with the variables of \($0)" } ?? ""
            Output.line("Created environment \(environment.name)\(copied) and linked \(path) to it")
        }
    }
}
