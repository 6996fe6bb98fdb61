import Foundation
import Hummingbird
import Logging
import RailyardBuild
import RailyardCore

/// A service's build and deploy settings in one environment — the same keys as config as code. The
/// next deployment lays the repository's config file over them: code wins, as on Railway.
struct ServiceSettingsController {
    let dependencies: AppDependencies

    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        let path = "projects/:projectId/environments/:environmentId/services/:serviceId/settings"
        group.get(RouterPath(path), use: show)
        group.put(RouterPath(path), use: replace)
        group.patch(RouterPath(path), use: update)
        group.get("projects/:projectId/environments/:environmentId/services/:serviceId/isolation", use: isolation)
    }

    /// Which sandbox, user, network and limits the service's replicas run under.
    @Sendable func isolation(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<ServiceIsolation> {
        let (environment, service) = try await scope(.projectRead, context: context)
        return JSONResponse(try await dependencies.deployer.isolation(service: service, environment: environment))
    }

    private func scope(_ permission: Permission, context: RailyardRequestContext) async throws -> (RailyardCore.Environment, Service) {
        let (_, environment, service) = try await dependencies.access.serviceInEnvironment(permission, context: context)
        return (environment, service)
    }

    @Sendable func show(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<ServiceConfig> {
        let (environment, service) = try await scope(.projectRead, context: context)
        return JSONResponse(try await dependencies.store.serviceSettings(serviceId: service.id, environmentId: environment.id))
    }

    /// Replaces every setting: keys left out are cleared.
    @Sendable func replace(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<ServiceConfig> {
        let (environment, service) = try await scope(.projectUpdate, context: context)
        let settings = try ServiceConfigLoader.settings(try await body(request, context: context))
        return try await save(settings, environment: environment, service: service, context: context)
    }

    /// Sets the keys the body names and keeps the others.
    @Sendable func update(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<ServiceConfig> {
        let (environment, service) = try await scope(.projectUpdate, context: context)
        let change = try ServiceConfigLoader.settings(try await body(request, context: context))
        let current = try await dependencies.store.serviceSettings(serviceId: service.id, environmentId: environment.id)
        return try await save(current.overridden(by: change), environment: environment, service: service, context: context)
    }

    private func save(
        _ settings: ServiceConfig, environment: RailyardCore.Environment, service: Service, context: RailyardRequestContext
    ) async throws -> JSONResponse<ServiceConfig> {
        try await dependencies.store.saveServiceSettings(settings, serviceId: service.id, environmentId: environment.id)
        context.logger.info("service settings saved", metadata: ["service.id": "\(service.id)", "environment.id": "\(environment.id)"])
        return JSONResponse(settings)
    }

    private func body(_ request: Request, context: RailyardRequestContext) async throws -> Data {
        let buffer = try await request.body.collect(upTo: 256 * 1024)
        guard buffer.readableBytes > 0 else {
            throw RailyardError(.invalidInput, "the request body must be a JSON object like {\"deploy\": {\"numReplicas\": 2}}")
        }
        let data = Data(buffer: buffer)
        guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            throw RailyardError(.invalidInput, "the request body must be a JSON object like {\"deploy\": {\"numReplicas\": 2}}")
        }
        return data
    }
}
