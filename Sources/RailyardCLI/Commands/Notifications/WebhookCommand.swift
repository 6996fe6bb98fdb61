import ArgumentParser
import Foundation
import RailyardClient
import RailyardCore

/// `railyard webhook`: where the linked project's deploy events and alerts are POSTed.
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "List, add or remove the project's deploy webhooks (deploys, failures, crashes, memory alerts).",
        subcommands: [WebhookListCommand.self, WebhookAddCommand.self, WebhookRemoveCommand.self, WebhookDeliveriesCommand.self],
        defaultSubcommand: WebhookListCommand.self
    )

    static func project() async throws -> (RailyardClient, ProjectDetail) {
        let context = try CommandContext.load()
        let client = try context.client()
        return (client, try await context.linkedEnvironment(client).0)
    }
}

/// `railyard webhook list [--json]`.
struct WebhookListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the project's webhooks.")
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (client, detail) = try await WebhookCommand.project()
        let webhooks = try await client.projectWebhooks(projectId: detail.project.id)
        if output.json { return try Output.json(webhooks) }
        guard !webhooks.isEmpty else { return Output.line("Project \(detail.project.name) has no webhooks; add one with `railyard webhook add URL`") }
        Output.line(TextTable(header: ["ID", "FORMAT", "URL"], rows: webhooks.map { [$0.id, $0.format.rawValue, $0.url] }).render())
    }
}

/// `railyard webhook add URL [--format json|slack|discord] [--json]`.
struct WebhookAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "POST the project's deploy events and alerts to URL, signed; prints the signing secret once."
    )
    @Argument(help: "The receiver's http:// or https:// URL.")
    var url: String
    @Option(help: "The body: json (Railyard's, with text/content for chat apps), slack or discord.")
    var format = "json"
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (client, detail) = try await WebhookCommand.project()
        let webhook = try await client.addProjectWebhook(projectId: detail.project.id, CreateProjectWebhookRequest(url: url, format: format))
        if output.json { return try Output.json(webhook) }
        Output.line("Added webhook \(webhook.id) of project \(detail.project.name): \(webhook.format.rawValue) to \(webhook.url)")
        Output.line("Signing secret (shown only now): \(webhook.secret ?? "")")
        Output.line("Each POST carries X-Railyard-Timestamp and X-Railyard-Signature: sha256=HMAC-SHA256(secret, \"<timestamp>.<body>\")")
    }
}

/// `railyard webhook remove ID`.
struct WebhookRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a webhook.")
    @Argument(help: "The webhook's id.")
    var id: String

    func run() async throws {
        let (client, detail) = try await WebhookCommand.project()
        try await client.removeProjectWebhook(projectId: detail.project.id, webhookId: id)
        Output.line("Removed webhook \(id) of project \(detail.project.name)")
    }
}

/// `railyard webhook deliveries ID [--json]`.
struct WebhookDeliveriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deliveries", abstract: "Show the newest delivery attempts to a webhook.")
    @Argument(help: "The webhook's id.")
    var id: String
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (client, detail) = try await WebhookCommand.project()
        let deliveries = try await client.webhookDeliveries(projectId: detail.project.id, webhookId: id)
        if output.json { return try Output.json(deliveries) }
        guard !deliveries.isEmpty else { return Output.line("No deliveries to webhook \(id) since the server started") }
        Output.line(TextTable(
            header: ["TIME (UTC)", "EVENT", "ATTEMPT", "STATUS", "ERROR"],
            rows: deliveries.map { [UTCTime.format($0.at), $0.event, "\($0.attempt)", $0.status.map(String.init) ?? "-", $0.error ?? ""] }
        ).render())
    }
}
