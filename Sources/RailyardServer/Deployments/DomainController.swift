import Foundation
import Hummingbird
import RailyardCore

/// The host names a service answers at in an environment: its generated domain and the custom
/// domains users add (list, add, remove), and custom domains' HTTPS certificates (set, remove).
struct DomainController {
    let dependencies: AppDependencies
    let deployer: Deployer

    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        let path = "projects/:projectId/environments/:environmentId/services/:serviceId/domains"
        group.get(RouterPath(path), use: list)
        group.post(RouterPath(path), use: create)
        group.delete(RouterPath("\(path)/:domainId"), use: delete)
        group.put(RouterPath("\(path)/:domainId/certificate"), use: setCertificate)
        group.delete(RouterPath("\(path)/:domainId/certificate"), use: removeCertificate)
    }

    @Sendable func list(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<[ServiceDomain]> {
        let (_, environment, service) = try await dependencies.access.serviceInEnvironment(.projectRead, context: context)
        let domains = try await dependencies.store.domains(serviceId: service.id, environmentId: environment.id)
        return JSONResponse(deployer.certificates.describing(domains))
    }

    @Sendable func create(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<ServiceDomain> {
        let (_, environment, service) = try await dependencies.access.serviceInEnvironment(.projectUpdate, context: context)
        let body = try await request.decodeJSON(as: CreateDomainRequest.self, context: context)
        let domain = try await deployer.addCustomDomain(body, environment: environment, service: service)
        return JSONResponse(domain, status: .created)
    }

    @Sendable func delete(_ request: Request, context: RailyardRequestContext) async throws -> Response {
        try await deployer.removeCustomDomain(try await domain(context))
        return Response(status: .noContent)
    }

    @Sendable func setCertificate(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<ServiceDomain> {
        let domain = try await domain(context)
        let body = try await request.decodeJSON(as: SetDomainCertificateRequest.self, context: context)
        return JSONResponse(try await deployer.setCertificate(body, for: domain))
    }

    @Sendable func removeCertificate(_ request: Request, context: RailyardRequestContext) async throws -> Response {
        try await deployer.removeCertificate(of: try await domain(context))
        return Response(status: .noContent)
    }

    /// The domain `:domainId` names, of the service in the environment, for a caller who may change it.
    private func domain(_ context: RailyardRequestContext) async throws -> ServiceDomain {
        let (_, environment, service) = try await dependencies.access.serviceInEnvironment(.projectUpdate, context: context)
        let id = try context.parameters.require("domainId")
        guard let domain = try await dependencies.store.domains(serviceId: service.id, environmentId: environment.id).first(where: { $0.id == id })
        else { throw RailyardError.notFound("domain \(id) of service \(service.name)") }
        return domain
    }
}
