import ArgumentParser
import RailyardCore

/// `railyard redeploy [--service S] [--latest] [--detach]`: builds and deploys the service's latest
/// source again (for a git source, the same commit; with `--latest`, its branch's head), followed as
/// `railyard up` follows an upload.
struct RedeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redeploy", abstract: "Build and deploy the service's latest source again."
    )

    @Option(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?
    @Flag(help: "For a service deployed from git: fetch and deploy the head of its branch.")
    var latest = false
    @Flag(name: [.short, .long], help: "Print the deployment id instead of following it.")
    var detach = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        let deployment = try await client.redeploy(
            projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id, latest: latest
        )
        Output.progress("Redeploying \(target.label): deployment \(deployment.id)", json: output.json)
        try await DeploymentReport.finish(deployment, target: target, client: client, detach: detach, json: output.json)
    }
}
