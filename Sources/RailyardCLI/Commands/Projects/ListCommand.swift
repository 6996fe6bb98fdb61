import ArgumentParser

/// `railyard list`: the projects you can see, the linked one marked.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List your projects."
    )

    @Option(help: "Only projects of this workspace id.")
    var workspace: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let context = try CommandContext.load()
        let client = try context.client()
        let projects = try await client.projects(workspaceId: workspace)
        if output.json {
            try Output.json(projects)
            return
        }
        guard !projects.isEmpty else {
            Output.line("No projects yet; create one with `railyard init --name NAME`")
            return
        }
        let linked = context.link()?.link.projectId
        let rows = projects.map { project in
            [project.id == linked ? "*" : " ", project.name, project.id, project.description]
        }
        Output.line(TextTable(header: [" ", "NAME", "ID", "DESCRIPTION"], rows: rows).render())
    }
}
