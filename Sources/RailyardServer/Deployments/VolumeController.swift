import Foundation
import Hummingbird
import RailyardCore
import RailyardRuntime

/// A service's volume in an environment: create (one per service), list, remove. A volume takes
/// effect at the service's next deployment (`railyard redeploy`).
struct VolumeController {
    let dependencies: AppDependencies
    let deployer: Deployer

    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        let path = "projects/:projectId/environments/:environmentId/services/:serviceId/volumes"
        group.get(RouterPath(path), use: list)
        group.post(RouterPath(path), use: create)
        group.delete(RouterPath("\(path)/:volumeId"), use: delete)
    }

    private func scope(_ permission: Permission, context: RailyardRequestContext) async throws -> (RailyardCore.Environment, Service) {
        let (_, environment, service) = try await dependencies.access.serviceInEnvironment(permission, context: context)
        return (environment, service)
    }

    @Sendable func list(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<[Volume]> {
        let (environment, service) = try await scope(.projectRead, context: context)
        return JSONResponse(try await dependencies.store.volumes(serviceId: service.id, environmentId: environment.id))
    }

    @Sendable func create(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<Volume> {
        let (environment, service) = try await scope(.projectUpdate, context: context)
        let body = try await request.decodeJSON(as: CreateVolumeRequest.self, context: context)
        try Volume.validate(mountPath: body.mountPath)
        try Self.checkFree(body.mountPath)
        let volume = try await dependencies.store.createVolume(
            serviceId: service.id, environmentId: environment.id, mountPath: body.mountPath
        )
        context.logger.info("volume created", metadata: ["service.id": "\(service.id)", "volume.id": "\(volume.id)"])
        return JSONResponse(volume, status: .created)
    }

    @Sendable func delete(_ request: Request, context: RailyardRequestContext) async throws -> Response {
        let (environment, service) = try await scope(.projectUpdate, context: context)
        let id = try context.parameters.require("volumeId")
        guard try await dependencies.store.volumes(serviceId: service.id, environmentId: environment.id).contains(where: { $0.id == id }),
            try await dependencies.store.deleteVolume(id: id)
        else { throw RailyardError.notFound("volume \(id) of service \(service.name)") }
        // The data goes with it, as on Railway. Replicas running now keep their mount until redeployed.
        try? FileManager.default.removeItem(at: await deployer.layout.volume(id))
        context.logger.info("volume deleted", metadata: ["service.id": "\(service.id)", "volume.id": "\(id)"])
        return Response(status: .noContent)
    }

    /// The sandbox shows the host's top-level folders read-only (and has its own /proc, /dev, /tmp),
    /// so a volume must live under a top-level folder the host does not have.
    static func checkFree(_ mountPath: String, root: String = "/") throws(RailyardError) {
        let top = String(mountPath.split(separator: "/").first ?? "")
        let taken = Set(Isolation.rootEntries(root: root).map(\.name)).union(["proc", "dev", "tmp", "lost+found"])
        guard !taken.contains(top) else {
            throw .invalid(
                "mountPath",
                "mountPath \(mountPath) is inside /\(top), which apps see read-only from the server; choose a path under a new top-level folder, like /data or /app/data"
            )
        }
    }
}
