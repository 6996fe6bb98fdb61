import ArgumentParser
import Foundation

/// The CLI's entry points for the `railyard` executable: its commands, and a `main` that reports
/// errors as one line.
public enum RailyardCommandLine {
    /// The CLI's top-level commands, in the order `railyard --help` lists them.
    public static let commands: [any ParsableCommand.Type] = [
        SignupCommand.self,
        LoginCommand.self,
        LogoutCommand.self,
        WhoamiCommand.self,
        InitCommand.self,
        LinkCommand.self,
        UnlinkCommand.self,
        ListCommand.self,
        StatusCommand.self,
        OpenCommand.self,
        EnvironmentCommand.self,
        ServiceCommand.self,
        VolumeCommand.self,
        VariablesCommand.self,
        UpCommand.self,
        RedeployCommand.self,
        RestartCommand.self,
        RollbackCommand.self,
        ScaleCommand.self,
        DownCommand.self,
        LogsCommand.self,
        MetricsCommand.self,
        CronCommand.self,
        DomainCommand.self,
        TCPProxyCommand.self,
        AddCommand.self,
        ConnectCommand.self,
        BackupCommand.self,
        WebhookCommand.self,
        TeamCommand.self,
        RunCommand.self,
        BuildCommand.self,
    ]

    /// Parses the arguments against `root` and runs the chosen command. Railyard and CLI errors print
    /// `error: <message>` on stderr and exit 1; usage errors and help go through ArgumentParser.
    public static func main<Root: AsyncParsableCommand>(_ root: Root.Type, arguments: [String]? = nil) async -> Never {
        do {
            var command = try await root.asyncParseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit(0)
        } catch {
            if let line = Output.errorLine(for: error) {
                Output.standardError(line + "\n")
                exit(1)
            }
            root.exit(withError: error)
        }
    }
}
