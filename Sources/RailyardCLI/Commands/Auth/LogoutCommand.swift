import ArgumentParser

/// `railyard logout`: forgets the stored token (links are kept).
struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout", abstract: "Forget the stored login token."
    )

    func run() async throws {
        var context = try CommandContext.load()
        let server = context.settings().server
        let hadToken = context.config.token != nil
        context.config.token = nil
        try context.save()
        Output.line(hadToken ? "Logged out of \(server)" : "Not logged in to \(server)")
        if let variable = context.environment[CLISettings.tokenVariable], !variable.isEmpty {
            Output.standardError("note: \(CLISettings.tokenVariable) is set and still logs you in\n")
        }
    }
}
