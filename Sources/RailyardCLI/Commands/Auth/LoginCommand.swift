import ArgumentParser
import RailyardCore

/// `railyard login`: stores a session for a server, from email and password or an API token.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log in to a Railyard server.",
        discussion: "With --token (for CI), the token is checked with the server and stored as is."
    )

    @Option(help: "The server's URL, e.g. http://localhost:7070.")
    var server: String?
    @Option(help: "Your email address (prompted for when omitted on a terminal).")
    var email: String?
    @Option(help: "Your password (prompted for, hidden, when omitted on a terminal).")
    var password: String?
    @Option(help: "An API token (ry_…) or session token to use instead of a password.")
    var token: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var context = try CommandContext.load()
        let client = context.anonymousClient(serverFlag: server)
        let user: User
        let token: String
        if let given = self.token {
            guard email == nil, password == nil else {
                throw CLIError("pass either --token or --email/--password, not both")
            }
            user = try await client.withToken(given).me().user
            token = given
        } else {
            let email = try email ?? Prompt.ask("Email: ", flag: "--email")
            let password = try password ?? Prompt.ask("Password: ", secret: true, flag: "--password")
            let response = try await client.login(LoginRequest(email: email, password: password))
            user = response.user
            token = response.token
        }
        context.config.server = client.baseURL
        context.config.token = token
        try context.save()
        if output.json {
            try Output.json(user)
        } else {
            Output.line("Logged in to \(client.baseURL) as \(user.displayName)")
        }
    }
}

extension User {
    /// How the CLI names a user: email, else GitHub login, else id.
    var displayName: String {
        email ?? githubLogin ?? id
    }
}
