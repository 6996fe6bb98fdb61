import ArgumentParser
import Foundation
import RailyardClient
import RailyardCore

/// `railyard connect [SERVICE]`: replaces itself with psql, redis-cli, mysql or mongosh connected to
/// a database service through its TCP proxy, with its credentials.
struct ConnectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect",
        abstract: "Open the database's own shell (psql, redis-cli, mysql, mongosh) with its credentials.",
        discussion: """
            It connects through the database's TCP proxy (add one with `railyard add --tcp-proxy`, or \
            `railyard tcp-proxy add PORT --service NAME`). The client must be installed where you run it.
            """
    )

    @Argument(help: "The database service's name or id (default: the project's only database).")
    var service: String?

    func run() async throws {
        let context = try CommandContext.load()
        let client = try context.client()
        let (detail, environment) = try await context.linkedEnvironment(client)
        let chosen = try Self.choose(service, in: detail)
        guard let engine = chosen.source.database else {
            throw CLIError("service \(chosen.name) is not a database; `railyard connect` opens a database added with `railyard add --database`")
        }
        let variables = try await client.resolvedVariables(
            projectId: detail.project.id, environmentId: environment.id, serviceId: chosen.id
        ).variables
        guard let url = variables.first(where: { $0.key == engine.publicURLVariable })?.value else {
            throw CLIError(
                "\(chosen.name) has no public endpoint in \(environment.name); expose it with `railyard tcp-proxy add \(engine.port) --service \(chosen.name)`, then run `railyard connect \(chosen.name)` again"
            )
        }
        let command = try DatabaseClient.command(engine, url: url)
        var environmentVariables = context.environment
        environmentVariables.merge(command.environment) { _, new in new }
        let search = environmentVariables["PATH"] ?? ProcessReplacement.defaultSearchPath
        guard (try? ProcessReplacement.resolve(command.arguments[0], searchPath: search)) != nil else {
            throw CLIError("\(command.arguments[0]) is not installed here; install \(DatabaseClient.package(of: engine)) and try again")
        }
        try ProcessReplacement.exec(command.arguments, environment: environmentVariables)
    }

    /// The named service, else the project's only database.
    static func choose(_ query: String?, in detail: ProjectDetail) throws -> Service {
        if let query { return try detail.service(query) }
        let databases = detail.services.filter { $0.source.database != nil }
        if databases.count == 1 { return databases[0] }
        if databases.isEmpty {
            throw CLIError("project \(detail.project.name) has no database; add one with `railyard add --database postgres --tcp-proxy`")
        }
        throw CLIError("project \(detail.project.name) has several databases; name one: \(databases.map(\.name).sorted().joined(separator: ", "))")
    }
}
