import Foundation
import Hummingbird
import RailyardCore


/// A service's HTTP traffic through the edge in an environment: its access log (filtered by status
/// and path) and its request counters.
struct TrafficController {
    let dependencies: AppDependencies

    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        let path = "projects/:projectId/environments/:environmentId/services/:serviceId"
        group.get(RouterPath("\(path)/http-logs"), use: logs)
        group.get(RouterPath("\(path)/http-stats"), use: stats)
    }

    /// `?status=404|5xx&path=/prefix&limit=N` (default 100, at most 5000): the newest matching
    /// requests, oldest first.
    @Sendable func logs(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<[AccessRecord]> {
        let hosts = try await self.hosts(context)
        let query = request.uri.queryParameters
        let filter = try HTTPLogFilter(status: query["status"].map(String.init), pathPrefix: query["path"].map(String.init))
        let limit = try query["limit"].map { text -> Int in
            guard let limit = Int(text), (1...5000).contains(limit) else {
                throw RailyardError(.invalidInput, "limit must be a whole number from 1 to 5000 (got '\(text)')", field: "limit")
            }
            return limit
        } ?? 100
        let traffic = dependencies.traffic
        return JSONResponse(try await ReplicaNetworks.blocking { traffic.records(hosts: hosts, filter: filter, limit: limit) })
    }

    @Sendable func stats(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<HTTPStats> {
        JSONResponse(dependencies.traffic.stats(hosts: try await hosts(context)))
    }

    /// The hosts the service answers at in the environment (generated and custom).
    private func hosts(_ context: RailyardRequestContext) async throws -> [String] {
        let (_, environment, service) = try await dependencies.access.serviceInEnvironment(.projectRead, context: context)
        return try await dependencies.store.domains(serviceId: service.id, environmentId: environment.id).map(\.host)
    }
}
