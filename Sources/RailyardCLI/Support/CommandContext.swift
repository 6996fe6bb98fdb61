import Foundation
import RailyardClient
import RailyardCore

/// What a command runs with: the environment, the working folder, the config file and its
/// contents, and helpers to get a logged-in client and this folder's link.
struct CommandContext {
    let environment: [String: String]
    let workingDirectory: String
    let configFile: ConfigFile
    var config: CLIConfig

    /// The context of this process.
    static func load() throws -> CommandContext {
        let environment = ProcessInfo.processInfo.environment
        let file = ConfigFile(environment: environment)
        return CommandContext(
            environment: environment,
            workingDirectory: PathNormalizer.normalize(FileManager.default.currentDirectoryPath, relativeTo: "/"),
            configFile: file,
            config: try file.load()
        )
    }

    /// Server and token in effect.
    func settings(serverFlag: String? = nil) -> CLISettings {
        CLISettings.resolve(config: config, environment: environment, serverFlag: serverFlag)
    }

    /// A client with no credentials (sign-up, login).
    func anonymousClient(serverFlag: String? = nil) -> RailyardClient {
        RailyardClient(baseURL: settings(serverFlag: serverFlag).server)
    }

    /// A client with the configured token; an error saying how to log in when there is none.
    func client() throws -> RailyardClient {
        let settings = settings()
        guard let token = settings.token else { throw CLIError.notLoggedIn(server: settings.server) }
        return RailyardClient(baseURL: settings.server, token: token)
    }

    /// This folder's link (or its nearest linked ancestor's).
    func link() -> (path: String, link: FolderLink)? {
        config.link(for: workingDirectory)
    }

    /// This folder's link; an error saying to run `railyard link` or `railyard init` when there is none.
    func requireLink() throws -> (path: String, link: FolderLink) {
        guard let found = link() else { throw CLIError.notLinked }
        return found
    }

    /// Writes the config back.
    func save() throws {
        try configFile.save(config)
    }

    /// The linked project and environment, with errors that say how to re-link.
    func linkedEnvironment(_ client: RailyardClient) async throws -> (ProjectDetail, RailyardCore.Environment) {
        let link = try requireLink().link
        let detail = try await linkedProject(client, link)
        guard let environment = detail.environments.first(where: { $0.id == link.environmentId }) else {
            throw CLIError("the environment linked to this folder no longer exists; run `railyard environment use NAME`")
        }
        return (detail, environment)
    }

    /// The project a link points at, with an error that says to re-link when it is gone.
    func linkedProject(_ client: RailyardClient, _ link: FolderLink) async throws -> ProjectDetail {
        do {
            return try await client.project(id: link.projectId)
        } catch let error as RailyardClientError where error.status == 404 {
            throw CLIError(
                "the project this folder is linked to (\(link.projectId)) no longer exists or is not visible to you; run `railyard link --project NAME` or `railyard unlink`"
            )
        }
    }
}

extension ProjectDetail {
    /// The environment a new link should use: `production`, else the first.
    var defaultEnvironment: RailyardCore.Environment? {
        environments.first { $0.name == RailyardCore.Environment.defaultName } ?? environments.first
    }

    /// An environment of this project by id or name.
    func environment(_ query: String) throws -> RailyardCore.Environment {
        try NamedLookup.find(query, in: environments, kind: "environment", id: \.id, name: \.name)
    }

    /// A service of this project by id or name.
    func service(_ query: String) throws -> Service {
        try NamedLookup.find(query, in: services, kind: "service", id: \.id, name: \.name)
    }
}
