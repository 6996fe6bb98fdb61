import Foundation
import Logging
import RailyardCore
import RailyardRuntime
import RailyardStore

/// Runs one cron release's due times: each run is its start command run to completion as a
/// pre-deploy command is (`OneOffProcess`), its output in `logs/cron/<run>.log`, and its start, end
/// and exit code in the store. Skipped due times are recorded too, so they show in the run list.
actor CronRunner: CronJob {
    /// Which service, environment and release the runs belong to.
    struct Owner: Sendable {
        var serviceId: String
        var environmentId: String
        var deploymentId: String
    }

    /// Runs kept per service and environment; older ones are forgotten with their logs.
    static let kept = 100

    private let owner: Owner
    private let command: String
    private let process: OneOffProcess
    private let store: any Store
    private let layout: DataLayout
    private let logger: Logger
    /// The run going now and its process.
    private var current: (id: String, pid: Int32)?
    private var stopping = false

    init(owner: Owner, command: String, process: OneOffProcess, store: any Store, layout: DataLayout, logger: Logger) {
        self.owner = owner
        self.command = command
        self.process = process
        self.store = store
        self.layout = layout
        self.logger = logger
    }

    func run(scheduledAt: Date) async {
        guard !stopping else { return }
        var run = CronRun(
            id: UUID().uuidString.lowercased(), serviceId: owner.serviceId, environmentId: owner.environmentId,
            deploymentId: owner.deploymentId, scheduledAt: scheduledAt, status: .running
        )
        let log = layout.cronLog(run.id)
        LogFile.append("Cron run \(run.id), due \(CronTimeline.format(scheduledAt)): `\(command)`", to: log)
        let session: OneOffProcess.Session
        do {
            session = try await process.open(group: "cron-\(run.id)")
        } catch {
            return await record(failed: run, "the run could not get its private network: \(error)", log: log)
        }
        let pid: Int32
        do {
            pid = try session.start(command, log: log)
        } catch {
            await session.close()
            return await record(failed: run, "`\(command)` could not start: \(error)", log: log)
        }
        run.startedAt = Date()
        current = (run.id, pid)
        await save(run, pid: pid)
        // A stop that came while the process was starting could not reach it.
        if stopping { await process.driver.stop(pid, grace: .seconds(2)) }
        let status = await session.wait(pid) ?? 0
        current = nil
        if let kills = session.group?.oomKills, kills > 0 {
            LogFile.append("The run was killed for using more than its \(process.limits.memoryDescription) of memory (out of memory)", to: log)
        }
        await session.close()
        let exit = ReplicaExit(waitStatus: status)
        run.endedAt = Date()
        if case .exited(let code) = exit { run.exitCode = Int(code) }
        run.status = stopping ? .interrupted : exit.isSuccess ? .succeeded : .failed
        run.detail = stopping ? "stopped: the deployment was replaced or taken down" : exit.isSuccess ? nil : "the command \(exit)"
        LogFile.append("Cron run \(run.id) \(exit) after \(Self.seconds(run))", to: log)
        await finish(run)
    }

    func skip(scheduledAt: Date, because reason: CronTimeline.SkipReason) async {
        let run = CronRun(
            id: UUID().uuidString.lowercased(), serviceId: owner.serviceId, environmentId: owner.environmentId,
            deploymentId: owner.deploymentId, scheduledAt: scheduledAt, status: .skipped, detail: "skipped: \(reason)"
        )
        logger.info("cron run skipped", metadata: ["cron.scheduled": "\(CronTimeline.format(scheduledAt))", "cron.reason": "\(reason)"])
        await save(run, pid: nil)
    }

    func stop(grace: Duration) async {
        stopping = true
        if let current { await process.driver.stop(current.pid, grace: grace) }
    }

    /// A run that never started its process: recorded as failed with why.
    private func record(failed run: CronRun, _ reason: String, log: URL) async {
        var failed = run
        failed.status = .failed
        failed.endedAt = Date()
        failed.detail = reason
        LogFile.append("Cron run failed: \(reason)", to: log)
        await save(failed, pid: nil)
    }

    private func save(_ run: CronRun, pid: Int32?) async {
        do {
            let forgotten = try await store.recordCronRun(run, pid: pid, keep: Self.kept)
            for id in forgotten { try? FileManager.default.removeItem(at: layout.cronLog(id)) }
        } catch {
            logger.error("cron run not recorded", metadata: ["cron.run": "\(run.id)", "error": "\(error)"])
        }
    }

    private func finish(_ run: CronRun) async {
        do {
            try await store.finishCronRun(run)
        } catch {
            logger.error("cron run end not recorded", metadata: ["cron.run": "\(run.id)", "error": "\(error)"])
        }
    }

    /// `12.3 s`: how long a run took.
    static func seconds(_ run: CronRun) -> String {
        guard let start = run.startedAt, let end = run.endedAt else { return "-" }
        return String(format: "%.1f s", end.timeIntervalSince(start))
    }
}
