import ArgumentParser
import Foundation
import RailyardClient
import RailyardCore

/// `railyard cron`: a cron service's runs and their logs.
struct CronCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cron",
        abstract: "List a cron service's runs (deploy.cronSchedule) or show one run's log.",
        subcommands: [CronRunsCommand.self, CronLogsCommand.self],
        defaultSubcommand: CronRunsCommand.self
    )
}

/// `railyard cron runs [--service S] [--limit N] [--json]`: the newest due times first.
struct CronRunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List the service's cron runs, newest first: due time, start, duration, exit code, status."
    )

    @Option(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?
    @Option(help: "How many runs to list (1–100).")
    var limit = 20
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (1...100).contains(limit) else { throw ValidationError("--limit must be from 1 to 100") }
    }

    func run() async throws {
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        let runs = try await client.cronRuns(
            projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id, limit: limit
        )
        if output.json { return try Output.json(runs) }
        guard !runs.isEmpty else {
            return Output.line("No cron runs of \(target.label) yet; a service runs on a schedule once deployed with deploy.cronSchedule set")
        }
        Output.line(Self.table(runs).render())
    }

    /// One row per due time: `ID  SCHEDULED (UTC)  STARTED  DURATION  EXIT  STATUS  DETAIL`.
    static func table(_ runs: [CronRun]) -> TextTable {
        TextTable(
            header: ["ID", "SCHEDULED (UTC)", "STARTED", "DURATION", "EXIT", "STATUS", "DETAIL"],
            rows: runs.map { run in
                [
                    run.id, UTCTime.format(run.scheduledAt, "yyyy-MM-dd HH:mm"), run.startedAt.map { UTCTime.format($0, "HH:mm:ss") } ?? "-",
                    duration(run), run.exitCode.map(String.init) ?? "-", run.status.rawValue, run.detail ?? "",
                ]
            }
        )
    }

    /// `71.2s`, or `-` for a run without both a start and an end.
    static func duration(_ run: CronRun) -> String {
        guard let start = run.startedAt, let end = run.endedAt else { return "-" }
        return String(format: "%.1fs", end.timeIntervalSince(start))
    }

}

/// `railyard cron logs RUN_ID [--follow] [--lines N]`: one run's output.
struct CronLogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Show one cron run's output.")

    @Argument(help: "The run's id (see `railyard cron runs`).")
    var id: String
    @Flag(name: [.short, .long], help: "Keep printing new lines until the run ends.")
    var follow = false
    @Option(name: [.customShort("n"), .long], help: "Print only the last N lines.")
    var lines: Int?

    func validate() throws {
        if let lines, lines < 0 { throw ValidationError("--lines must be 0 or more") }
    }

    func run() async throws {
        let context = try CommandContext.load()
        let client = try context.client()
        let projectId = try context.requireLink().link.projectId
        let fetch: (Int64, Int) async throws -> LogChunk = { offset, wait in
            do {
                return try await client.cronRunLogs(projectId: projectId, runId: id, offset: offset, wait: wait)
            } catch let error as RailyardClientError where error.status == 404 {
                throw CLIError("no cron run \(id) in the linked project; list them with `railyard cron runs`")
            }
        }
        try await LogPrinter(lines: lines, follow: follow, fetch: fetch) { text in
            Output.write(text.hasSuffix("\n") ? text : text + "\n")
        }.run()
    }
}
