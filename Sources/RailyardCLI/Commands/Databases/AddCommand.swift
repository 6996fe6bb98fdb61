import ArgumentParser
import Foundation
import RailyardClient
import RailyardCore

/// `railyard add --database postgres|redis|mysql|mongo [--name N] [--tcp-proxy] [--detach] [--json]`.
struct AddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a database service (PostgreSQL, Redis, MySQL, MongoDB) to the linked project and deploy it.",
        discussion: """
            The database runs the server's own program on a volume, with generated credentials and \
            Railway's variable names (DATABASE_URL, REDIS_URL, MYSQL_URL, MONGO_URL, …). Other services \
            use it by reference: railyard variables --service web --set 'DATABASE_URL=${{postgres.DATABASE_URL}}'.
            """
    )

    @Option(name: [.short, .long], help: "The database to add: postgres, redis, mysql or mongo.")
    var database: String?
    @Option(help: "The service's name (default: the database's, e.g. postgres).")
    var name: String?
    @Flag(name: .customLong("tcp-proxy"), help: "Also expose it on a public TCP port (for clients outside the project, and `railyard connect`).")
    var tcpProxy = false
    @Flag(help: "Print the deployment id instead of following it.")
    var detach = false
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard let database else {
            throw ValidationError("name the database to add: --database \(DatabaseEngine.choices) (for an app, `railyard service new NAME`)")
        }
        _ = try DatabaseEngine(parsing: database)
    }

    func run() async throws {
        let context = try CommandContext.load()
        let client = try context.client()
        let (detail, environment) = try await context.linkedEnvironment(client)
        let created = try await client.addDatabase(
            projectId: detail.project.id,
            CreateDatabaseRequest(engine: database ?? "", name: name, environmentId: environment.id, tcpProxy: tcpProxy ? true : nil)
        )
        let service = created.service
        let engine = try service.source.database ?? DatabaseEngine(parsing: database ?? "")
        Output.progress(
            "Added \(service.name) (\(engine.displayName)) to project \(detail.project.name) in \(environment.name); its variables: \(created.variables.joined(separator: ", "))",
            json: output.json
        )
        let target = DeployTarget(project: detail, environment: environment, service: service)
        if detach {
            if output.json { try Output.json(created) } else { Output.line(created.deployment.id) }
            return
        }
        let follower = DeploymentFollower.live(
            client: client, projectId: target.projectId, deploymentId: created.deployment.id,
            writeLog: { text in output.json ? Output.standardError(text) : Output.write(text) },
            note: { Output.progress($0, json: output.json) }
        )
        let final = try await follower.follow(from: created.deployment)
        if output.json {
            var result = created
            result.deployment = final
            try Output.json(result)
            if final.status != .success { throw ExitCode.failure }
            return
        }
        guard final.status == .success else { throw DeploymentReport.failure(final) }
        Output.line("\(service.name) is running. Other services of \(environment.name) reach it through its variables, e.g.:")
        Output.line("  railyard variables --service web --set '\(engine.urlVariable)=${{\(service.name).\(engine.urlVariable)}}'")
        if let proxy = created.tcpProxy {
            Output.line("From outside: \(TCPProxyCommand.address(proxy)), or `railyard connect \(service.name)`")
        }
    }
}
