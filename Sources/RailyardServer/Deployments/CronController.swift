import Foundation
import Hummingbird
import RailyardCore

/// A cron service's runs in an environment (each due time: its run, or why it was skipped), and each
/// run's log.
struct CronController {
    let dependencies: AppDependencies
    let deployer: Deployer

    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        group.get("projects/:projectId/environments/:environmentId/services/:serviceId/cron-runs", use: list)
        group.get("projects/:projectId/cron-runs/:runId/logs", use: logs)
    }

    /// `?limit=N` (1–100, default 20): the newest due times first.
    @Sendable func list(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<[CronRun]> {
        let (_, environment, service) = try await dependencies.access.serviceInEnvironment(.projectRead, context: context)
        let text = request.query("limit") ?? "20"
        guard let limit = Int(text), (1...100).contains(limit) else {
            throw RailyardError.invalid("limit", "limit must be a whole number from 1 to 100 (got '\(text)')")
        }
        return JSONResponse(try await dependencies.store.cronRuns(serviceId: service.id, environmentId: environment.id, limit: limit))
    }

    /// `?offset=N&wait=S`: the run's output from a byte offset, complete once the run has ended.
    @Sendable func logs(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<LogChunk> {
        let project = try await dependencies.access.project(try context.parameters.require("projectId"), .projectRead, context: context)
        let id = try context.parameters.require("runId")
        let store = dependencies.store
        guard let run = try await store.cronRun(id: id), let service = try await store.service(id: run.serviceId),
            service.projectId == project.id
        else { throw RailyardError.notFound("cron run \(id) in project \(project.name)") }
        let query = try LogRequest(request)
        let file = await deployer.layout.cronLog(run.id)
        return JSONResponse(try await query.read(file) { try await store.cronRun(id: id)?.status == .running })
    }
}
