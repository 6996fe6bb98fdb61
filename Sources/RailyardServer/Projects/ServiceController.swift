import Foundation
import Hummingbird
import Logging
import RailyardCore

/// `/api/v1/projects/{projectId}/services`: services of a project, present in every environment.
struct ServiceController {
    let dependencies: AppDependencies

    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        group.get("projects/:projectId/services", use: list)
        group.post("projects/:projectId/services", use: create)
        group.get("projects/:projectId/services/:serviceId", use: show)
        group.patch("projects/:projectId/services/:serviceId", use: update)
        group.delete("projects/:projectId/services/:serviceId", use: delete)
    }

    @Sendable func list(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<[Service]> {
        let project = try await dependencies.access.project(
            try context.parameters.require("projectId"), .projectRead, context: context
        )
        return JSONResponse(try await dependencies.store.services(projectId: project.id))
    }

    @Sendable func create(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<Service> {
        let project = try await dependencies.access.project(
            try context.parameters.require("projectId"), .projectUpdate, context: context
        )
        let body = try await request.decodeJSON(as: CreateServiceRequest.self, context: context)
        try Validation.dnsLabel(body.name, field: "name")
        let source = body.source ?? .upload
        if source.database != nil {
            throw RailyardError.invalid("source.database", "a database service is added with POST /api/v1/projects/{projectId}/databases (`railyard add --database`), which also gives it a volume and credentials")
        }
        try SourceValidation.validate(source, allowLocal: dependencies.configuration.allowLocalGitSources)
        let service = try await dependencies.store.createService(projectId: project.id, name: body.name, source: source)
        context.logger.info("service created", metadata: ["project.id": "\(project.id)", "service.id": "\(service.id)"])
        return JSONResponse(service, status: .created)
    }

    @Sendable func show(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<Service> {
        let project = try await dependencies.access.project(
            try context.parameters.require("projectId"), .projectRead, context: context
        )
        return JSONResponse(try await dependencies.access.service(try context.parameters.require("serviceId"), of: project))
    }

    @Sendable func update(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<Service> {
        let project = try await dependencies.access.project(
            try context.parameters.require("projectId"), .projectUpdate, context: context
        )
        let service = try await dependencies.access.service(try context.parameters.require("serviceId"), of: project)
        let body = try await request.decodeJSON(as: UpdateServiceRequest.self, context: context)
        if let name = body.name { try Validation.dnsLabel(name, field: "name") }
        if let source = body.source {
            if source.database != service.source.database {
                throw RailyardError.invalid(
                    "source.database",
                    service.source.database == nil
                        ? "a database service is added with POST /api/v1/projects/{projectId}/databases (`railyard add --database`), not by changing a service's source"
                        : "service \(service.name) is a database; its source cannot change (add a new service for an app)"
                )
            }
            try SourceValidation.validate(source, allowLocal: dependencies.configuration.allowLocalGitSources)
        }
        let updated = try await dependencies.store.updateService(id: service.id, name: body.name, source: body.source)
        context.logger.info("service updated", metadata: ["project.id": "\(project.id)", "service.id": "\(service.id)"])
        return JSONResponse(updated)
    }

    @Sendable func delete(_ request: Request, context: RailyardRequestContext) async throws -> HTTPResponse.Status {
        let project = try await dependencies.access.project(
            try context.parameters.require("projectId"), .projectUpdate, context: context
        )
        let service = try await dependencies.access.service(try context.parameters.require("serviceId"), of: project)
        let custom = try await dependencies.deployer.customDomains { $0.serviceId == service.id }
        try await dependencies.store.deleteService(id: service.id)
        dependencies.deployer.discardBuildCache(of: service.id)
        await dependencies.deployer.unalias(custom)
        await dependencies.tcpProxies.stop { $0.serviceId == service.id }
        context.logger.info("service deleted", metadata: ["project.id": "\(project.id)", "service.id": "\(service.id)"])
        return .noContent
    }
}
