import ArgumentParser
import RailyardCore

/// `railyard init`: creates a project and links this folder to its production environment.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a project and link this folder to it."
    )

    @Option(help: "The project's name: lowercase letters, digits and '-'.")
    var name: String
    @Option(help: "What the project is for.")
    var description: String?
    @Option(help: "The workspace id to create it in (default: your personal workspace).")
    var workspace: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var context = try CommandContext.load()
        let client = try context.client()
        let detail = try await client.createProject(
            CreateProjectRequest(name: name, description: description, workspaceId: workspace)
        )
        guard let environment = detail.defaultEnvironment else {
            throw CLIError("project \(detail.project.name) was created without an environment; report this as a bug")
        }
        context.config.links[context.workingDirectory] = FolderLink(
            projectId: detail.project.id, environmentId: environment.id
        )
        try context.save()
        if output.json {
            try Output.json(detail)
        } else {
            Output.line(
                "Created project \(detail.project.name) (\(detail.project.id)) and linked \(context.workingDirectory) to its \(environment.name) environment"
            )
        }
    }
}
