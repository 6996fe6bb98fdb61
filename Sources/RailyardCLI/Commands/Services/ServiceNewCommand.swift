import ArgumentParser
import RailyardCore

/// `railyard service new NAME [--repo URL --branch B --root-directory D]`.
struct ServiceNewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new", abstract: "Create a service in the linked project and link this folder to it."
    )

    @Argument(help: "The service's name: lowercase letters, digits and '-'.")
    var name: String
    @Option(help: "A git repository to deploy from (default: folders uploaded by `railyard up`).")
    var repo: String?
    @Option(help: "The branch to deploy (with --repo; default main).")
    var branch: String?
    @Option(help: "The sub-folder that holds the service, in the repository or in the folder `railyard up` uploads (monorepos).")
    var rootDirectory: String?
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if repo == nil, branch != nil {
            throw ValidationError("--branch needs --repo")
        }
    }

    func run() async throws {
        var context = try CommandContext.load()
        let (path, link) = try context.requireLink()
        let client = try context.client()
        let source = repo != nil || rootDirectory != nil ? ServiceSource(repo: repo, branch: branch, rootDirectory: rootDirectory) : nil
        let service = try await client.createService(
            projectId: link.projectId, CreateServiceRequest(name: name, source: source)
        )
        context.config.links[path]?.serviceId = service.id
        try context.save()
        if output.json {
            try Output.json(service)
        } else {
            Output.line("Created service \(service.name) (\(service.id)) and linked \(path) to it")
        }
    }
}
