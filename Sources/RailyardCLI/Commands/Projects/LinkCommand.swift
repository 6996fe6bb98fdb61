import ArgumentParser
import RailyardCore

/// `railyard link`: links this folder to an existing project, environment and optionally service.
struct LinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link", abstract: "Link this folder to a project."
    )

    @Option(help: "The project's id or name.")
    var project: String
    @Option(help: "The environment's name or id (default: production).")
    var environment: String?
    @Option(help: "The service's name or id.")
    var service: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var context = try CommandContext.load()
        let client = try context.client()
        let projects = try await client.projects()
        let match = try NamedLookup.find(project, in: projects, kind: "project", id: \.id, name: \.name)
        let detail = try await client.project(id: match.id)
        let environment = try self.environment.map(detail.environment) ?? detail.defaultEnvironment
        guard let environment else {
            throw CLIError("project \(detail.project.name) has no environment; create one with `railyard environment new NAME`")
        }
        let service = try self.service.map(detail.service)
        let link = FolderLink(projectId: detail.project.id, environmentId: environment.id, serviceId: service?.id)
        context.config.links[context.workingDirectory] = link
        try context.save()
        if output.json {
            try Output.json(link)
        } else {
            var line = "Linked \(context.workingDirectory) to project \(detail.project.name), environment \(environment.name)"
            if let service { line += ", service \(service.name)" }
            Output.line(line)
        }
    }
}
