import ArgumentParser
import RailyardCore

/// `railyard environment [show]`.
struct EnvironmentShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show the linked environment and list the project's environments."
    )

    @OptionGroup var output: OutputOptions

    /// The `--json` shape: the linked environment and all of the project's.
    struct Report: Codable {
        var linked: RailyardCore.Environment?
        var environments: [RailyardCore.Environment]
    }

    func run() async throws {
        let context = try CommandContext.load()
        let link = try context.requireLink().link
        let client = try context.client()
        let detail = try await context.linkedProject(client, link)
        let linked = detail.environments.first { $0.id == link.environmentId }
        if output.json {
            try Output.json(Report(linked: linked, environments: detail.environments))
            return
        }
        Output.line("Linked environment: \(linked?.name ?? "(deleted; run `railyard environment use NAME`)")")
        let rows = detail.environments.map { [$0.id == link.environmentId ? "*" : " ", $0.name, $0.id] }
        Output.line(TextTable(header: [" ", "NAME", "ID"], rows: rows).render())
    }
}
