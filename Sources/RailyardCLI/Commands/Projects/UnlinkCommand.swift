import ArgumentParser

/// `railyard unlink`: removes the link in effect for this folder.
struct UnlinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlink", abstract: "Remove this folder's link to a project."
    )

    func run() async throws {
        var context = try CommandContext.load()
        guard let path = context.link()?.path else {
            throw CLIError("this folder is not linked to a project; there is nothing to unlink")
        }
        context.config.links[path] = nil
        try context.save()
        Output.line("Unlinked \(path)")
    }
}
