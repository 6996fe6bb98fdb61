import ArgumentParser
import Foundation
import RailyardClient
import RailyardCore

/// `railyard backup`: a database service's backups in the linked environment.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up a database service, list and restore its backups, and set its schedule and retention.",
        subcommands: [BackupListCommand.self, BackupCreateCommand.self, BackupRestoreCommand.self, BackupDeleteCommand.self, BackupScheduleCommand.self],
        defaultSubcommand: BackupListCommand.self
    )

    /// The linked database service (or `--service`), else the project's only database.
    static func target(_ serviceFlag: String?) async throws -> (RailyardClient, DeployTarget) {
        var context = try CommandContext.load()
        let client = try context.client()
        if serviceFlag == nil {
            let (detail, environment) = try await context.linkedEnvironment(client)
            let linked = context.link()?.link.serviceId.flatMap { id in detail.services.first { $0.id == id } }
            if linked?.source.database == nil, let only = try? ConnectCommand.choose(nil, in: detail) {
                return (client, DeployTarget(project: detail, environment: environment, service: only))
            }
        }
        let target = try await DeployTarget.resolve(context: &context, client: client, serviceFlag: serviceFlag)
        guard target.service.source.database != nil else {
            throw CLIError("service \(target.service.name) is not a database; name one with --service (backups are for `railyard add --database` services)")
        }
        return (client, target)
    }

    static func table(_ backups: [DatabaseBackup]) -> TextTable {
        TextTable(
            header: ["ID", "CREATED (UTC)", "TRIGGER", "STATUS", "SIZE", "DETAIL"],
            rows: backups.map { backup in
                [
                    backup.id, UTCTime.format(backup.createdAt), backup.trigger.rawValue, backup.status.rawValue,
                    backup.sizeBytes.map { ByteCount.format(Int64($0)) } ?? "-", backup.detail ?? "",
                ]
            }
        )
    }

}

/// `railyard backup list [--service S] [--json]`.
struct BackupListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the database's backups, newest first.")

    @Option(help: "The database service's name or id (default: the linked service if it is a database, else the only database).")
    var service: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (client, target) = try await BackupCommand.target(service)
        let backups = try await client.backups(projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id)
        if output.json { return try Output.json(backups) }
        guard !backups.isEmpty else { return Output.line("No backups of \(target.label) yet; make one with `railyard backup create`") }
        Output.line(BackupCommand.table(backups).render())
    }
}

/// `railyard backup create [--service S] [--detach] [--json]`: backs up now and waits for it.
struct BackupCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Back the running database up now (pg_dump, mysqldump, Redis's RDB) and wait until it is made."
    )

    @Option(help: "The database service's name or id (default: the linked service if it is a database, else the only database).")
    var service: String?
    @Flag(help: "Print the backup's id instead of waiting for it.")
    var detach = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (client, target) = try await BackupCommand.target(service)
        var backup = try await client.createBackup(projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id)
        if !detach {
            while backup.status == .running {
                try await Task.sleep(for: .milliseconds(300))
                backup = try await client.backup(
                    projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id, backupId: backup.id
                )
            }
        }
        if output.json {
            try Output.json(backup)
        } else if detach {
            Output.line(backup.id)
        } else if backup.status == .success {
            Output.line("Backed up \(target.label): \(backup.id) (\(backup.sizeBytes.map { ByteCount.format(Int64($0)) } ?? "?"))")
        }
        if backup.status == .failed {
            throw CLIError("the backup of \(target.label) failed: \(backup.detail ?? "no reason was given")")
        }
    }
}

/// `railyard backup restore ID [--service S] --yes`.
struct BackupRestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into the database (its own, or another database of the same kind in the project).",
        discussion: "What the backup holds replaces what the database has now. Redis is stopped, given the backup and started again."
    )

    @Argument(help: "The backup's id (see `railyard backup list --service NAME`).")
    var id: String
    @Option(help: "The database to restore into (default: the linked service if it is a database, else the only database).")
    var service: String?
    @Flag(help: "Restore without asking: what the database has now is replaced.")
    var yes = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (client, target) = try await BackupCommand.target(service)
        if !yes {
            let answer = try Prompt.ask("Replace the data of \(target.label) with backup \(id)? Type the service's name to confirm: ", flag: "--yes")
            guard answer == target.service.name else { throw CLIError("not restored: the answer was not \(target.service.name)") }
        }
        let restored = try await client.restoreBackup(
            projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id, backupId: id
        )
        var final = restored.deployment
        if let deployment = restored.deployment {
            let follower = DeploymentFollower.live(
                client: client, projectId: target.projectId, deploymentId: deployment.id, writeLog: { _ in },
                note: { Output.progress($0, json: output.json) }
            )
            final = try await follower.follow(from: deployment)
        }
        if output.json { return try Output.json(RestoredBackup(backup: restored.backup, deployment: final)) }
        if let final, final.status != .success { throw DeploymentReport.failure(final) }
        Output.line("Restored backup \(id) of \(UTCTime.format(restored.backup.createdAt)) UTC into \(target.label)")
    }
}

/// `railyard backup delete ID [--service S]`.
struct BackupDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a backup and its file.")

    @Argument(help: "The backup's id.")
    var id: String
    @Option(help: "The database service's name or id (default: the linked service if it is a database, else the only database).")
    var service: String?

    func run() async throws {
        let (client, target) = try await BackupCommand.target(service)
        try await client.deleteBackup(projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id, backupId: id)
        Output.line("Deleted backup \(id) of \(target.label)")
    }
}

/// `railyard backup schedule [--cron EXPR | --off] [--retain N] [--service S]`.
struct BackupScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule", abstract: "Show or set when the database is backed up (cron, UTC) and how many backups are kept."
    )

    @Option(help: "A 5-field cron expression in UTC, e.g. \"0 3 * * *\" for daily at 03:00.")
    var cron: String?
    @Flag(help: "Stop scheduled backups (on-demand ones still work).")
    var off = false
    @Option(help: "How many successful backups to keep (older ones are deleted); default 7.")
    var retain: Int?
    @Option(help: "The database service's name or id (default: the linked service if it is a database, else the only database).")
    var service: String?
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if off, cron != nil { throw ValidationError("--off and --cron contradict each other; give one") }
    }

    func run() async throws {
        let (client, target) = try await BackupCommand.target(service)
        let ids = (target.projectId, target.environment.id, target.service.id)
        let policy = cron == nil && !off && retain == nil
            ? try await client.backupPolicy(projectId: ids.0, environmentId: ids.1, serviceId: ids.2)
            : try await client.updateBackupPolicy(
                projectId: ids.0, environmentId: ids.1, serviceId: ids.2, UpdateBackupPolicyRequest(schedule: off ? "" : cron, retain: retain)
            )
        if output.json { return try Output.json(policy) }
        Output.line("Backups of \(target.label): \(policy.schedule.map { "on schedule \($0) (UTC)" } ?? "on demand only"); the newest \(policy.retain) kept")
    }
}
