import ArgumentParser

/// `railyard service use NAME`.
struct ServiceUseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "use", abstract: "Link this folder to a service of its project."
    )

    @Argument(help: "The service's name or id.")
    var name: String

    func run() async throws {
        var context = try CommandContext.load()
        let (path, link) = try context.requireLink()
        let client = try context.client()
        let detail = try await context.linkedProject(client, link)
        let service = try detail.service(name)
        context.config.links[path]?.serviceId = service.id
        try context.save()
        Output.line("Linked \(path) to service \(service.name)")
    }
}
