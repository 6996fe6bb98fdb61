import ArgumentParser
import Foundation
import Logging
import RailyardCore
import RailyardStore

/// `railyard server backup --to FILE`: writes the server's own state (every table, the secret key,
/// `tls/`) to one file, consistent while the server runs.
public struct ServerBackupCommand: AsyncParsableCommand {
    /// The subcommand's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write the server's state (database, secret key, tls/) to one file, while it runs or not.",
        discussion: """
            Give it the server's own --data and --database-url (before or after `backup`). The file holds \
            the secret key, so it is written mode 0600: keep it as private as the key. Sources, builds, \
            logs and volumes are not in it.
            """
    )

    @ParentCommand var server: ServerCommand

    @Option(name: .customLong("to"), help: ArgumentHelp("The backup file to write (replaced if it exists).", valueName: "file"))
    var file: String

    /// A command with every option at its default (ArgumentParser fills them in).
    public init() {}

    /// Reads the state in one snapshot and writes the file.
    public func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        do {
            let (dataDirectory, location) = try server.stateLocation(environment: environment)
            let backup = try await StateBackup.take(
                dataDirectory: dataDirectory, location: location, environment: environment,
                railyardVersion: RailyardVersion.current, logger: Self.quietLogger()
            )
            try StateBackup.write(backup, to: file)
            print(
                "Backed up \(location.redacted) (schema version \(backup.manifest.schemaVersion)): \(backup.summary), the secret key and \(backup.fileCount) file(s) of tls/ to \(file)."
            )
            print("The file opens every sealed variable: keep it as private as the secret key.")
        } catch {
            ServerCommand.fail(ServerCommand.sentence(for: error), command: "railyard server backup")
            throw ExitCode.failure
        }
    }

    /// A logger that keeps the store's start-up lines off the terminal.
    static func quietLogger() -> Logger {
        var logger = Logger(label: "railyard.backup")
        logger.logLevel = .warning
        return logger
    }
}

extension BackupFile {
    /// What the file holds, in the words an operator checks: projects, services, variables, deployments.
    var summary: String {
        let variables = rowCount("service_variables") + rowCount("shared_variables")
        return "\(rowCount("projects")) project(s), \(rowCount("services")) service(s), \(variables) variable(s), \(rowCount("deployments")) deployment(s)"
    }
}
