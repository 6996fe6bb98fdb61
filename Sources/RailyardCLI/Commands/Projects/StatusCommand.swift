import ArgumentParser
import RailyardClient
import RailyardCore

/// `railyard status`: what this folder is linked to, on which server, as whom, and how the linked
/// service's latest deployment is doing.
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
        var deployment: Deployment?
    }

    func run() async throws {
        let context = try CommandContext.load()
        let (path, link) = try context.requireLink()
        let client = try context.client()
        let me = try await client.me()
        let detail = try await context.linkedProject(client, link)
        let service = link.serviceId.flatMap { id in detail.services.first { $0.id == id } }
        var deployment: Deployment?
        if let service, detail.environments.contains(where: { $0.id == link.environmentId }) {
            do {
                deployment = try await client.deployments(
                    projectId: detail.project.id, environmentId: link.environmentId, serviceId: service.id
                ).first
            } catch let error as RailyardClientError where error.status == 404 {
                deployment = nil  // a server without the deploy path; status still shows the link
            }
        }
        let report = Report(
            server: client.baseURL,
            user: me.user,
            linkedPath: path,
            project: detail.project,
            environment: detail.environments.first { $0.id == link.environmentId },
            service: service,
            deployment: deployment
        )
        if output.json {
            try Output.json(report)
            return
        }
        Output.line("Project:     \(report.project.name) (\(report.project.id))")
        Output.line("Environment: \(report.environment?.name ?? "(deleted; run `railyard environment use NAME`)")")
        Output.line("Service:     \(report.service?.name ?? (link.serviceId == nil ? "none" : "(deleted)"))")
        if report.service != nil {
            Output.line("Deployment:  \(Self.describe(deployment))")
            if let url = deployment?.url { Output.line("URL:         \(url)") }
        }
        Output.line("Server:      \(report.server)")
        Output.line("User:        \(report.user.displayName)")
        Output.line("Linked path: \(report.linkedPath)")
    }

    /// `SUCCESS (dep_…)`, with the commit of a git deployment and the failure reason when it failed;
    /// `none yet` without a deployment.
    static func describe(_ deployment: Deployment?) -> String {
        guard let deployment else { return "none yet; deploy with `railyard up`" }
        var text = "\(deployment.status.rawValue) (\(deployment.id))"
        if let sha = deployment.commitSha {
            text += " of commit \(sha.prefix(7))"
            if let message = deployment.commitMessage { text += " \"\(message)\"" }
            if let author = deployment.commitAuthor { text += " by \(author)" }
        }
        if deployment.status == .failed, let reason = deployment.failureReason { text += ": \(reason)" }
        return text
    }
}
