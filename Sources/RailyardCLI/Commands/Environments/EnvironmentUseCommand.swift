import ArgumentParser
import RailyardCore

/// `railyard environment use NAME`.
struct EnvironmentUseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "use", abstract: "Link this folder to another environment of its project."
    )

    @Argument(help: "The environment's name or id.")
    var name: String

    func run() async throws {
        var context = try CommandContext.load()
        let (path, link) = try context.requireLink()
        let client = try context.client()
        let detail = try await context.linkedProject(client, link)
        let environment = try detail.environment(name)
        context.config.links[path]?.environmentId = environment.id
        try context.save()
        Output.line("Linked \(path) to environment \(environment.name)")
    }
}
