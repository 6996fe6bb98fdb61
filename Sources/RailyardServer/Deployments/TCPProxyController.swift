import Foundation
import Hummingbird
import RailyardCore

/// A service's TCP proxies in an environment: public ports that forward to one of its internal ports
/// (list, add, remove). They listen from the moment they are added; the service's releases see
/// `RAILYARD_TCP_PROXY_DOMAIN` and `RAILYARD_TCP_PROXY_PORT` from its next deployment on.
struct TCPProxyController {
    let dependencies: AppDependencies

    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        let path = "projects/:projectId/environments/:environmentId/services/:serviceId/tcp-proxies"
        group.get(RouterPath(path), use: list)
        group.post(RouterPath(path), use: create)
        group.delete(RouterPath("\(path)/:proxyId"), use: delete)
    }

    @Sendable func list(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<[ServiceTCPProxy]> {
        let (_, environment, service) = try await dependencies.access.serviceInEnvironment(.projectRead, context: context)
        let proxies = try await dependencies.store.tcpProxies(serviceId: service.id, environmentId: environment.id)
        return JSONResponse(proxies.map { dependencies.tcpProxies.published($0) })
    }

    @Sendable func create(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<ServiceTCPProxy> {
        let (_, environment, service) = try await dependencies.access.serviceInEnvironment(.projectUpdate, context: context)
        let body = try await request.decodeJSON(as: CreateTCPProxyRequest.self, context: context)
        let proxy = try await dependencies.tcpProxies.add(targetPort: body.targetPort, environment: environment, service: service)
        if let engine = service.source.database {
            // The database's public URL variable, now that it has a public endpoint.
            try await dependencies.deployer.provisionDatabase(engine, service: service, environment: environment)
        }
        return JSONResponse(proxy, status: .created)
    }

    @Sendable func delete(_ request: Request, context: RailyardRequestContext) async throws -> Response {
        let (_, environment, service) = try await dependencies.access.serviceInEnvironment(.projectUpdate, context: context)
        let id = try context.parameters.require("proxyId")
        guard let proxy = try await dependencies.store.tcpProxies(serviceId: service.id, environmentId: environment.id).first(where: { $0.id == id })
        else { throw RailyardError.notFound("TCP proxy \(id) of service \(service.name)") }
        try await dependencies.tcpProxies.remove(proxy)
        return Response(status: .noContent)
    }
}
