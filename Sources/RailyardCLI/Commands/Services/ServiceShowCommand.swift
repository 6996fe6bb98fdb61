import ArgumentParser
import RailyardCore

/// `railyard service [show]`.
struct ServiceShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show the linked service and list the project's services."
    )

    @OptionGroup var output: OutputOptions

    /// The `--json` shape: the linked service and all of the project's.
    struct Report: Codable {
        var linked: Service?
        var services: [Service]
    }

    func run() async throws {
        let context = try CommandContext.load()
        let link = try context.requireLink().link
        let client = try context.client()
        let detail = try await context.linkedProject(client, link)
        let linked = link.serviceId.flatMap { id in detail.services.first { $0.id == id } }
        if output.json {
            try Output.json(Report(linked: linked, services: detail.services))
            return
        }
        Output.line("Linked service: \(linked?.name ?? "none")")
        guard !detail.services.isEmpty else {
            Output.line("No services yet; create one with `railyard service new NAME`")
            return
        }
        let rows = detail.services.map { service in
            [service.id == link.serviceId ? "*" : " ", service.name, service.id, Self.describe(service.source)]
        }
        Output.line(TextTable(header: [" ", "NAME", "ID", "SOURCE"], rows: rows).render())
    }

    /// A source in a few words: `upload`, `upload:dir`, `repo@branch:dir`, or `PostgreSQL database`.
    static func describe(_ source: ServiceSource) -> String {
        if let engine = source.database { return "\(engine.displayName) database" }
        var text = source.repo ?? "upload"
        if source.repo != nil, let branch = source.branch { text += "@\(branch)" }
        if let directory = source.rootDirectory { text += ":\(directory)" }
        return text
    }
}
