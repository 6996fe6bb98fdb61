import Foundation
import Hummingbird
import RailyardCore

/// `GET …/services/{serviceId}/logs/search?q=TEXT&since=1h`: lines of the service's runtime logs.
struct LogSearchController {
    let dependencies: AppDependencies

    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        group.get("projects/:projectId/environments/:environmentId/services/:serviceId/logs/search", use: search)
    }

    @Sendable func search(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<LogSearchResult> {
        let (_, environment, service) = try await dependencies.access.serviceInEnvironment(.projectRead, context: context)
        guard let query = request.query("q"), !query.isEmpty, query.count <= 256 else {
            throw RailyardError.invalid("q", "q must be the text to look for, 1 to 256 characters")
        }
        let now = Date()
        let since = now.addingTimeInterval(-(try UsageController.seconds(request.query("since") ?? "1d", max: 3650 * 86_400)))
        let until = try request.query("until").map { now.addingTimeInterval(-(try UsageController.seconds($0, field: "until", max: 3650 * 86_400))) } ?? now
        guard until >= since else {
            throw RailyardError.invalid("until", "until must be nearer to now than since (since goes further back)")
        }
        let limit = try request.query("limit").map { text throws(RailyardError) -> Int in
            guard let value = Int(text), (1...1000).contains(value) else { throw .invalid("limit", "limit must be from 1 to 1000 (got '\(text)')") }
            return value
        } ?? 200
        return JSONResponse(try await dependencies.deployer.searchLogs(
            service: service, environment: environment, query: query, since: since, until: until, limit: limit
        ))
    }
}
