import ArgumentParser
import RailyardCore

/// `railyard signup`: creates an account on a server and logs in to it.
struct SignupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signup", abstract: "Create an account on a Railyard server and log in."
    )

    @Option(help: "The server's URL, e.g. http://localhost:7070.")
    var server: String?
    @Option(help: "Your email address (prompted for when omitted on a terminal).")
    var email: String?
    @Option(help: "A password of 8–72 bytes (prompted for, hidden, when omitted on a terminal).")
    var password: String?
    @Option(help: "Your display name.")
    var name: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var context = try CommandContext.load()
        let client = context.anonymousClient(serverFlag: server)
        let email = try email ?? Prompt.ask("Email: ", flag: "--email")
        let password = try password ?? Prompt.ask("Password: ", secret: true, flag: "--password")
        let response = try await client.signup(SignupRequest(email: email, password: password, name: name))
        context.config.server = client.baseURL
        context.config.token = response.token
        try context.save()
        if output.json {
            try Output.json(response.user)
        } else {
            Output.line("Signed up and logged in to \(client.baseURL) as \(response.user.email ?? email)")
        }
    }
}
