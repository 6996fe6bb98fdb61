import ArgumentParser
import RailyardCore

/// `railyard scale N [--service S]`: sets how many replicas the service runs in the linked environment.
struct ScaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "Set how many replicas the service runs (applied now, and kept as its deploy.numReplicas setting).",
        discussion: "A deploy.numReplicas in the deployed railway.json / railway.toml still wins at the next deployment."
    )

    @Argument(help: "The number of replicas, 1 to \(ServiceConfig.maxReplicas).")
    var replicas: Int
    @Option(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?

    func validate() throws {
        guard (1...ServiceConfig.maxReplicas).contains(replicas) else {
            throw ValidationError("the number of replicas must be between 1 and \(ServiceConfig.maxReplicas) (got \(replicas))")
        }
    }

    func run() async throws {
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        _ = try await client.scale(projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id, replicas: replicas)
        Output.line("Scaled \(target.label) to \(replicas) replica\(replicas == 1 ? "" : "s")")
    }
}

/// `railyard restart [--service S]`: starts the running release's replicas again, without building.
struct RestartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart", abstract: "Start the service's running replicas again, without building."
    )

    @Option(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?

    func run() async throws {
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        try await client.restart(projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id)
        Output.line("Restarting \(target.label)")
    }
}

/// `railyard rollback [DEPLOYMENT] [--service S] [--detach]`: deploys an earlier release again,
/// followed as `railyard up` follows an upload.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Deploy an earlier release of the service again (default: the one before the current)."
    )

    @Argument(help: "The deployment whose release to run again (see `railyard status`); default: the one before the current.")
    var deployment: String?
    @Option(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?
    @Flag(name: [.short, .long], help: "Print the deployment id instead of following it.")
    var detach = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        let created = try await client.rollback(
            projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id, to: deployment
        )
        Output.progress("Rolling back \(target.label): deployment \(created.id)", json: output.json)
        try await DeploymentReport.finish(created, target: target, client: client, detach: detach, json: output.json)
    }
}
