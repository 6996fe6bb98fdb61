import Foundation
import Hummingbird
import RailyardCore

/// The host names a service answers at in an environment: its generated domain and the custom
/// domains users add (list, add, remove).
struct DomainController {
    let dependencies: AppDependencies
    let deployer: Deployer

    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        let path = "projects/:projectId/environments/:environmentId/services/:serviceId/domains"
        group.get(RouterPath(path), use: list)
        group.post(RouterPath(path), use: create)
        group.delete(RouterPath("\(path)/:domainId"), use: delete)
    }

    @Sendable func list(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<[ServiceDomain]> {
        let (_, environment, service) = try await dependencies.access.serviceInEnvironment(.projectRead, context: context)
        return JSONResponse(try await dependencies.store.domains(serviceId: service.id, environmentId: environment.id))
    }

    @Sendable func create(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<ServiceDomain> {
        let (_, environment, service) = try await dependencies.access.serviceInEnvironment(.projectUpdate, context: context)
        let body = try await request.decodeJSON(as: CreateDomainRequest.self, context: context)
        let domain = try await deployer.addCustomDomain(body.domain, environment: environment, service: service)
        return JSONResponse(domain, status: .created)
    }

    @Sendable func delete(_ request: Request, context: RailyardRequestContext) async throws -> Response {
        let (_, environment, service) = try await dependencies.access.serviceInEnvironment(.projectUpdate, context: context)
        let id = try context.parameters.require("domainId")
        guard let domain = try await dependencies.store.domains(serviceId: service.id, environmentId: environment.id).first(where: { $0.id == id })
        else { throw RailyardError.notFound("domain \(id) of service \(service.name)") }
        try await deployer.removeCustomDomain(domain)
        return Response(status: .noContent)
    }
}
