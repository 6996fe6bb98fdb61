import ArgumentParser
import RailyardCore

/// `railyard status`: what this folder is linked to, on which server, as whom.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the linked project, environment and service."
    )

    @OptionGroup var output: OutputOptions

    /// The `--json` shape of `railyard status`.
    struct Report: Codable {
        var server: String
        var user: User
        var linkedPath: String
        var project: Project
        var environment: RailyardCore.Environment?
        var service: Service?
    }

    func run() async throws {
        let context = try CommandContext.load()
        let (path, link) = try context.requireLink()
        let client = try context.client()
        let me = try await client.me()
        let detail = try await context.linkedProject(client, link)
        let report = Report(
            server: client.baseURL,
            user: me.user,
            linkedPath: path,
            project: detail.project,
            environment: detail.environments.first { $0.id == link.environmentId },
            service: link.serviceId.flatMap { id in detail.services.first { $0.id == id } }
        )
        if output.json {
            try Output.json(report)
            return
        }
        Output.line("Project:     \(report.project.name) (\(report.project.id))")
        Output.line("Environment: \(report.environment?.name ?? "(deleted; run `railyard environment use NAME`)")")
        Output.line("Service:     \(report.service?.name ?? (link.serviceId == nil ? "none" : "(deleted)"))")
        Output.line("Server:      \(report.server)")
        Output.line("User:        \(report.user.displayName)")
        Output.line("Linked path: \(report.linkedPath)")
    }
}
