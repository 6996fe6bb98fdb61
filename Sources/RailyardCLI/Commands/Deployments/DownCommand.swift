import ArgumentParser
import RailyardCore

/// `railyard down [--service S]`: stops and removes the service's running deployment.
struct DownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down", abstract: "Stop and remove the service's running deployment."
    )

    @Option(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?

    func run() async throws {
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        try await client.down(projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id)
        Output.line("Stopped \(target.label); `railyard redeploy` starts it again")
    }
}
