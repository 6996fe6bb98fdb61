import ArgumentParser
import RailyardCore

/// `railyard service webhook [--service S]`: prints what to enter in GitHub's "Add webhook" form so
/// that a push to the service's branch deploys it.
struct ServiceWebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook", abstract: "Show the GitHub push webhook (URL and secret) of a git-sourced service."
    )

    @Option(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        let settings = try await client.webhookSettings(projectId: target.projectId, serviceId: target.service.id)
        if output.json {
            try Output.json(settings)
            return
        }
        Output.line("In GitHub: the repository's Settings → Webhooks → Add webhook")
        Output.line("Payload URL:  \(settings.url)")
        Output.line("Content type: \(settings.contentType)")
        Output.line("Secret:       \(settings.secret)")
        Output.line("Events:       just the push event")
        if !target.service.source.isGit {
            Output.line("Note: service \(target.service.name) has no git repository yet, so pushes will not deploy it.")
        }
    }
}
