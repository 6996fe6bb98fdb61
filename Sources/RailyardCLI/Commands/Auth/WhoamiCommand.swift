import ArgumentParser

/// `railyard whoami`: the logged-in user and their workspaces.
struct WhoamiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami", abstract: "Show who you are logged in as."
    )

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let context = try CommandContext.load()
        let client = try context.client()
        let me = try await client.me()
        if output.json {
            try Output.json(me)
            return
        }
        var line = "Logged in to \(client.baseURL) as \(me.user.displayName)"
        if let name = me.user.name, !name.isEmpty, name != me.user.email { line += " (\(name))" }
        Output.line(line)
        for membership in me.workspaces {
            Output.line("  workspace \(membership.workspace.name) (\(membership.role.rawValue))")
        }
    }
}
