import ArgumentParser
import RailyardClient
import RailyardCore

/// `railyard run [--service S] CMD [ARGS…]`: runs a local command with the service's variables
/// (and the environment's shared ones) added to the current environment, as Railway's `run` does.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a local command with the service's variables.",
        discussion: """
            The command replaces railyard, so its exit status is the one returned. Options after the \
            command's name belong to the command: `railyard run --service web npm start --port 3000`.
            """
    )

    @Option(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?
    @Argument(parsing: .captureForPassthrough, help: "The command to run and its arguments.")
    var command: [String] = []

    mutating func validate() throws {
        if command.first == "--" { command.removeFirst() }
        guard !command.isEmpty else { throw ValidationError("name the command to run, e.g. `railyard run npm start`") }
    }

    func run() async throws {
        let context = try CommandContext.load()
        let (path, link) = try context.requireLink()
        let client = try context.client()
        let (detail, environment) = try await context.linkedEnvironment(client)
        var chosen: Service?
        if case .existing(let service) = try ServiceChoice.decide(
            flag: service, linkedServiceId: link.serviceId, services: detail.services, folder: path
        ) {
            chosen = service
        }
        let shared = try await client.sharedVariables(projectId: detail.project.id, environmentId: environment.id, reveal: true)
        var own: [Variable] = []
        if let chosen {
            // References resolved as the service's releases see them (shared variables included).
            own = try await client.resolvedVariables(
                projectId: detail.project.id, environmentId: environment.id, serviceId: chosen.id
            ).variables
        }
        let merged = RunEnvironment.merge(
            current: context.environment,
            context: RunEnvironment.context(project: detail.project, environment: environment, service: chosen),
            shared: shared.variables,
            service: own
        )
        if !merged.masked.isEmpty {
            Output.standardError("warning: left out \(merged.masked.joined(separator: ", ")): you may not read their values\n")
        }
        try ProcessReplacement.exec(command, environment: merged.variables)
    }
}
