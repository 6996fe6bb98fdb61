import Foundation
import Hummingbird
import Logging
import RailyardCore

/// `POST /api/v1/projects/{projectId}/databases`: adds a database service (PostgreSQL, Redis,
/// MySQL, MongoDB) and deploys it in one environment.
struct DatabaseController {
    let dependencies: AppDependencies

    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        group.post("projects/:projectId/databases", use: create)
    }

    /// Checks everything before creating anything; if a later step fails, what was created is
    /// deleted again, so a failed add leaves no half-made service behind.
    @Sendable func create(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<CreatedDatabase> {
        let project = try await dependencies.access.project(
            try context.parameters.require("projectId"), .projectUpdate, context: context
        )
        let body = try await request.decodeJSON(as: CreateDatabaseRequest.self, context: context)
        let engine = try DatabaseEngine(parsing: body.engine)
        let name = body.name ?? engine.defaultServiceName
        try Validation.dnsLabel(name, field: "name")
        let environment = try await self.environment(body.environmentId, of: project)
        _ = try dependencies.deployer.databaseTemplate(engine)

        let service = try await dependencies.store.createService(projectId: project.id, name: name, source: ServiceSource(database: engine))
        do {
            let proxy = body.tcpProxy == true
                ? try await dependencies.tcpProxies.add(targetPort: engine.port, environment: environment, service: service) : nil
            let variables = try await dependencies.deployer.provisionDatabase(engine, service: service, environment: environment)
            let deployment = try await dependencies.deployer.deployWithoutUpload(project: project, environment: environment, service: service)
            context.logger.info(
                "database added",
                metadata: ["project.id": "\(project.id)", "service.id": "\(service.id)", "database.engine": "\(engine.rawValue)"]
            )
            return JSONResponse(
                CreatedDatabase(
                    service: service, deployment: try await dependencies.deployer.decorate(deployment), variables: variables, tcpProxy: proxy
                ),
                status: .created
            )
        } catch {
            await dependencies.tcpProxies.stop { $0.serviceId == service.id }
            try? await dependencies.store.deleteService(id: service.id)
            throw error
        }
    }

    /// The environment named by id, or the project's `production` (else its first).
    private func environment(_ id: String?, of project: Project) async throws -> RailyardCore.Environment {
        if let id { return try await dependencies.access.environment(id, of: project) }
        let environments = try await dependencies.store.environments(projectId: project.id)
        guard let chosen = environments.first(where: { $0.name == "production" }) ?? environments.first else {
            throw RailyardError.notFound("an environment in project \(project.name)")
        }
        return chosen
    }
}
