import Foundation
import Hummingbird
import Logging
import NIOCore
import RailyardCore

/// Deploying a service and following its deployments: upload (or, for a git source, fetch), redeploy,
/// down, list, show, logs.
struct DeploymentController {
    let dependencies: AppDependencies
    let deployer: Deployer
    /// Largest source archive accepted, in bytes.
    static let maxArchiveBytes = 200 * 1024 * 1024

    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        let service = "projects/:projectId/environments/:environmentId/services/:serviceId"
        group.post(RouterPath("\(service)/deployments"), use: upload)
        group.get(RouterPath("\(service)/deployments"), use: list)
        group.post(RouterPath("\(service)/redeploy"), use: redeploy)
        group.post(RouterPath("\(service)/down"), use: down)
        group.post(RouterPath("\(service)/scale"), use: scale)
        group.post(RouterPath("\(service)/restart"), use: restart)
        group.post(RouterPath("\(service)/rollback"), use: rollback)
        group.get("projects/:projectId/deployments/:deploymentId", use: show)
        group.get("projects/:projectId/deployments/:deploymentId/logs", use: logs)
    }

    /// The project, environment and service of a route, after checking `permission`.
    private func scope(
        _ permission: Permission, context: RailyardRequestContext
    ) async throws -> (Project, RailyardCore.Environment, Service) {
        try await dependencies.access.serviceInEnvironment(permission, context: context)
    }

    @Sendable func upload(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<Deployment> {
        let (project, environment, service) = try await scope(.serviceDeploy, context: context)
        let deployment: Deployment
        if let file = try await receive(request.body, into: deployer.layout.uploads) {
            defer { try? FileManager.default.removeItem(at: file) }
            deployment = try await deployer.deploy(archive: file, project: project, environment: environment, service: service)
        } else if service.source.isGit || service.source.database != nil {
            // An empty body deploys the head of a git-sourced service's branch, or a database.
            deployment = try await deployer.deployWithoutUpload(project: project, environment: environment, service: service)
        } else {
            throw RailyardError.invalid("body", "the request body must be a gzip'd tar of the app's folder; it was empty")
        }
        context.logger.info("deployment queued", metadata: ["deployment.id": "\(deployment.id)", "service.id": "\(service.id)"])
        return JSONResponse(try await deployer.decorate(deployment), status: .created)
    }

    @Sendable func redeploy(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<Deployment> {
        let (project, environment, service) = try await scope(.serviceDeploy, context: context)
        let latestText = request.query("latest") ?? "false"
        guard let latest = Bool(latestText) else {
            throw RailyardError.invalid("latest", "latest must be true or false (got '\(latestText)')")
        }
        let deployment = try await deployer.redeploy(project: project, environment: environment, service: service, latest: latest)
        return JSONResponse(try await deployer.decorate(deployment), status: .created)
    }

    @Sendable func scale(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<ServiceConfig> {
        let (_, environment, service) = try await scope(.serviceDeploy, context: context)
        let body = try await request.decodeJSON(as: ScaleRequest.self, context: context)
        let settings = try await deployer.scale(environment: environment, service: service, replicas: body.replicas)
        context.logger.info("service scaled", metadata: ["service.id": "\(service.id)", "service.replicas": "\(body.replicas)"])
        return JSONResponse(settings)
    }

    @Sendable func restart(_ request: Request, context: RailyardRequestContext) async throws -> Response {
        let (_, environment, service) = try await scope(.serviceDeploy, context: context)
        try await deployer.restart(environment: environment, service: service)
        return Response(status: .noContent)
    }

    @Sendable func rollback(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<Deployment> {
        let (project, environment, service) = try await scope(.serviceDeploy, context: context)
        // The body is optional: without one, the release before the current one.
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        var body = RollbackRequest()
        if buffer.readableBytes > 0 {
            do {
                body = try RailyardJSON.decoder().decode(RollbackRequest.self, from: Data(buffer: buffer))
            } catch let error as DecodingError {
                throw RailyardError(decoding: error)
            }
        }
        let deployment = try await deployer.rollback(project: project, environment: environment, service: service, to: body.deploymentId)
        return JSONResponse(try await deployer.decorate(deployment), status: .created)
    }

    @Sendable func down(_ request: Request, context: RailyardRequestContext) async throws -> Response {
        let (project, environment, service) = try await scope(.serviceDeploy, context: context)
        try await deployer.down(project: project, environment: environment, service: service)
        return Response(status: .noContent)
    }

    @Sendable func list(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<[Deployment]> {
        let (_, environment, service) = try await scope(.projectRead, context: context)
        let limit = min(max(Int(request.query("limit") ?? "") ?? 20, 1), 100)
        var before: Deployment?
        if let id = request.query("before"), !id.isEmpty {
            guard let cursor = try await dependencies.store.deployment(id: id), cursor.serviceId == service.id, cursor.environmentId == environment.id else {
                throw RailyardError(
                    .invalidInput, "before must be the id of one of this service's deployments in \(environment.name) (got '\(id)')", field: "before"
                )
            }
            before = cursor
        }
        var result: [Deployment] = []
        for deployment in try await dependencies.store.deployments(
            serviceId: service.id, environmentId: environment.id, limit: limit, before: before
        ) {
            result.append(try await deployer.decorate(deployment))
        }
        return JSONResponse(result)
    }

    @Sendable func show(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<Deployment> {
        var deployment = try await deployer.decorate(try await deploymentInScope(context: context))
        deployment.config = try await dependencies.store.deploymentConfig(deploymentId: deployment.id)
        return JSONResponse(deployment)
    }

    @Sendable func logs(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<LogChunk> {
        var deployment = try await deploymentInScope(context: context)
        let streamName = request.query("stream") ?? LogStream.build.rawValue
        guard let stream = LogStream(rawValue: streamName) else {
            throw RailyardError.invalid("stream", "stream must be one of build, runtime (got '\(streamName)')")
        }
        let query = try LogRequest(request)
        let layout = await deployer.layout
        let file = stream == .build ? layout.buildLog(deployment.id) : layout.runtimeLog(deployment.id)
        var first = true
        return JSONResponse(try await query.read(file) {
            // The first look uses the deployment as read; later ones see whether it moved on.
            if !first { deployment = try await dependencies.store.deployment(id: deployment.id) ?? deployment }
            first = false
            return await deployer.logIsOpen(deployment, stream: stream)
        })
    }

    /// The deployment of the path, which must belong to the project of the path.
    private func deploymentInScope(context: RailyardRequestContext) async throws -> Deployment {
        let project = try await dependencies.access.project(try context.parameters.require("projectId"), .projectRead, context: context)
        let id = try context.parameters.require("deploymentId")
        guard let deployment = try await dependencies.store.deployment(id: id),
            let service = try await dependencies.store.service(id: deployment.serviceId), service.projectId == project.id
        else { throw RailyardError.notFound("deployment \(id) in project \(project.name)") }
        return deployment
    }

    /// Streams a request body to a new file, refusing bodies over the archive limit; nil for an empty body.
    private func receive(_ body: RequestBody, into directory: URL) async throws -> URL? {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent(UUID().uuidString + ".tar.gz")
        FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        var total = 0
        do {
            for try await buffer in body {
                total += buffer.readableBytes
                guard total <= Self.maxArchiveBytes else {
                    throw RailyardError.invalid(
                        "body", "the source archive is larger than \(Self.maxArchiveBytes / 1024 / 1024) MiB; add big files to .railyardignore"
                    )
                }
                try handle.write(contentsOf: Data(buffer.readableBytesView))
            }
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: file)
            throw error
        }
        guard total > 0 else {
            try? FileManager.default.removeItem(at: file)
            return nil
        }
        return file
    }
}
