import ArgumentParser
import Foundation
import RailyardCore
import RailyardStore

/// `railyard server restore FILE`: puts a backup's state into a stopped server's data dir (or empty
/// PostgreSQL database); refuses one that already has state unless `--force`.
public struct ServerRestoreCommand: AsyncParsableCommand {
    /// The subcommand's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into a stopped server's data dir or an empty PostgreSQL database.",
        discussion: """
            Give it the --data and --database-url the server will start with. A target that already holds \
            state is refused unless --force; nothing is written when the file or the target is refused. \
            Deployments' history comes back, but nothing runs until the services are deployed again.
            """
    )

    @ParentCommand var server: ServerCommand

    @Argument(help: "A file written by `railyard server backup`.")
    var file: String

    @Flag(help: "Replace the state the target already holds (stop the server first).")
    var force: Bool = false

    /// A command with every option at its default (ArgumentParser fills them in).
    public init() {}

    /// Checks the file, then restores it.
    public func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        do {
            let (dataDirectory, location) = try server.stateLocation(environment: environment)
            let backup = try StateBackup.read(path: file)
            try await StateBackup.restore(
                backup, dataDirectory: dataDirectory, location: location, environment: environment, force: force,
                logger: ServerBackupCommand.quietLogger()
            )
            let manifest = backup.manifest
            print("""
                Restored \(file) (taken \(manifest.createdAt.formatted(.iso8601)) from \(manifest.sourceEngine), schema version \(manifest.schemaVersion)) \
                into \(location.redacted): \(backup.summary).
                Start the server with this --data\(location.isSQLite ? "" : " and --database-url"), then deploy each service again \
                (`railyard up`, or `railyard redeploy --latest` for a GitHub source): builds, logs and volumes are not in backups.
                """)
        } catch {
            ServerCommand.fail(ServerCommand.sentence(for: error), command: "railyard server restore")
            throw ExitCode.failure
        }
    }
}

extension StoreLocation {
    /// Whether the state is a SQLite file.
    var isSQLite: Bool {
        if case .sqlite = self { return true }
        return false
    }
}
