import Foundation
import Hummingbird
import Logging
import RailyardCore

/// `/api/v1/projects/{projectId}/environments`: list, create (empty or duplicated) and delete.
struct EnvironmentController {
    let dependencies: AppDependencies

    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        group.get("projects/:projectId/environments", use: list)
        group.post("projects/:projectId/environments", use: create)
        group.delete("projects/:projectId/environments/:environmentId", use: delete)
    }

    @Sendable func list(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<[RailyardCore.Environment]> {
        let project = try await dependencies.access.project(
            try context.parameters.require("projectId"), .projectRead, context: context
        )
        return JSONResponse(try await dependencies.store.environments(projectId: project.id))
    }

    @Sendable func create(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<RailyardCore.Environment> {
        let project = try await dependencies.access.project(
            try context.parameters.require("projectId"), .projectUpdate, context: context
        )
        let body = try await request.decodeJSON(as: CreateEnvironmentRequest.self, context: context)
        try Validation.dnsLabel(body.name, field: "name")
        var sourceId: String?
        if let from = body.duplicateFrom {
            let environments = try await dependencies.store.environments(projectId: project.id)
            guard let source = environments.first(where: { $0.id == from }) ?? environments.first(where: { $0.name == from })
            else {
                throw RailyardError(
                    .notFound, "environment '\(from)' is not in project \(project.name)", field: "duplicateFrom"
                )
            }
            sourceId = source.id
        }
        let environment = try await dependencies.store.createEnvironment(
            projectId: project.id, name: body.name, duplicating: sourceId
        )
        context.logger.info(
            "environment created",
            metadata: ["project.id": "\(project.id)", "environment.id": "\(environment.id)", "environment.source": "\(sourceId ?? "none")"]
        )
        return JSONResponse(environment, status: .created)
    }

    @Sendable func delete(_ request: Request, context: RailyardRequestContext) async throws -> HTTPResponse.Status {
        let project = try await dependencies.access.project(
            try context.parameters.require("projectId"), .projectUpdate, context: context
        )
        let environment = try await dependencies.access.environment(
            try context.parameters.require("environmentId"), of: project
        )
        let custom = try await dependencies.deployer.customDomains { $0.environmentId == environment.id }
        try await dependencies.store.deleteEnvironment(projectId: project.id, id: environment.id)
        await dependencies.deployer.unalias(custom)
        await dependencies.tcpProxies.stop { $0.environmentId == environment.id }
        context.logger.info(
            "environment deleted", metadata: ["project.id": "\(project.id)", "environment.id": "\(environment.id)"]
        )
        return .noContent
    }
}
