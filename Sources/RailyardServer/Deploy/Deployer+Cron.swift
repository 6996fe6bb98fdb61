import Foundation
import RailyardCore
import RailyardEdge
import RailyardRuntime

/// Cron services (`deploy.cronSchedule`): no replica stays up, nothing is routed or health-checked;
/// the live release's start command runs to completion at each due time.
extension Deployer {
    /// Makes a built cron release live: SUCCESS at once, the deployments it replaces removed (their
    /// schedules and runs stopped first, so two runs never overlap), its host answering 503 with why,
    /// then its schedule followed.
    func goLiveAsCron(
        _ deployment: Deployment, schedule: String, context: ReleaseRunner.Context, replacing replaced: [Deployment]
    ) async throws -> Deployment {
        let expression: CronExpression
        do {
            expression = try CronExpression(schedule)
        } catch {
            throw RailyardError.invalid("deploy.cronSchedule", "`deploy.cronSchedule` is not a valid schedule (UTC): \(error.message)")
        }
        let live = try await move(deployment, to: .success)
        for old in replaced { try? await remove(old) }
        routes.set(.unavailable(Self.cronPage(context.release.service.name, schedule)), for: context.host)
        let next = await follow(expression, context: context)
        LogFile.append(
            "Deployment \(deployment.id) is live as a cron service: `\(context.command)` runs at `\(schedule)` (UTC), next at \(CronTimeline.format(next))",
            to: layout.buildLog(deployment.id)
        )
        return live
    }

    /// Brings a live cron release back after a restart: its schedule is followed again from now.
    func restoreCron(schedule: String, context: ReleaseRunner.Context) async throws {
        let expression = try CronExpression(schedule)
        routes.set(.unavailable(Self.cronPage(context.release.service.name, schedule)), for: context.host)
        let next = await follow(expression, context: context)
        LogFile.append("Schedule followed again after a server restart; next run at \(CronTimeline.format(next))", to: layout.buildLog(context.deploymentId))
    }

    /// Starts the scheduler of a cron release; returns its first due time.
    private func follow(_ expression: CronExpression, context: ReleaseRunner.Context) async -> Date {
        let owner = CronRunner.Owner(
            serviceId: context.release.service.id, environmentId: context.release.environment.id, deploymentId: context.deploymentId
        )
        let job = CronRunner(
            owner: owner, command: context.command, process: context.oneOffProcess, store: store, layout: layout, logger: context.logger
        )
        let scheduler = CronScheduler(expression: expression, clock: cronClock, job: job)
        crons[context.deploymentId] = scheduler
        await scheduler.start()
        return await scheduler.nextDue
    }

    /// Runs a restart caught in flight: their processes (when they still run) are stopped and they
    /// are recorded as interrupted. Runs never outlive the server that started them.
    func interruptCronRuns() async {
        guard let running = try? await store.runningCronRuns() else { return }
        for (run, pid) in running {
            if let pid, Self.process(pid, belongsTo: run.deploymentId) { await driver.stop(pid, grace: .seconds(5)) }
            var interrupted = run
            interrupted.status = .interrupted
            interrupted.endedAt = Date()
            interrupted.detail = "interrupted by a restart of the Railyard server"
            try? await store.finishCronRun(interrupted)
            LogFile.append("Cron run interrupted by a restart of the Railyard server", to: layout.cronLog(run.id))
        }
    }

    /// What a cron service's host answers: it has no web server.
    static func cronPage(_ service: String, _ schedule: String) -> String {
        "\(service) is a cron service (`\(schedule)`, UTC): it runs on its schedule and serves no web traffic"
    }
}
