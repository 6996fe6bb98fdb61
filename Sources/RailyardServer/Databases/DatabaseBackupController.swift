import Foundation
import Hummingbird
import RailyardBuild
import RailyardCore

/// `…/services/{serviceId}/backups` and `…/backup-policy`: a database service's backups in one
/// environment — list, make one, restore one (of it or of another database of the same engine in
/// the project), delete one — and its schedule and retention.
struct DatabaseBackupController {
    let dependencies: AppDependencies

    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        let path = "projects/:projectId/environments/:environmentId/services/:serviceId"
        group.get(RouterPath("\(path)/backups"), use: list)
        group.post(RouterPath("\(path)/backups"), use: create)
        group.post(RouterPath("\(path)/backups/restore"), use: restore)
        group.get(RouterPath("\(path)/backups/:backupId"), use: show)
        group.delete(RouterPath("\(path)/backups/:backupId"), use: delete)
        group.get(RouterPath("\(path)/backup-policy"), use: policy)
        group.put(RouterPath("\(path)/backup-policy"), use: updatePolicy)
    }

    private func scope(_ permission: Permission, context: RailyardRequestContext) async throws -> (Project, RailyardCore.Environment, Service) {
        let (project, environment, service) = try await dependencies.access.serviceInEnvironment(permission, context: context)
        guard service.source.database != nil else {
            throw RailyardError(.conflict, "service \(service.name) is not a database; backups are for services added with `railyard add --database`")
        }
        return (project, environment, service)
    }

    @Sendable func list(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<[DatabaseBackup]> {
        let (_, environment, service) = try await scope(.projectRead, context: context)
        return JSONResponse(try await dependencies.store.databaseBackups(serviceId: service.id, environmentId: environment.id))
    }

    @Sendable func create(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<DatabaseBackup> {
        let (project, environment, service) = try await scope(.projectUpdate, context: context)
        let backup = try await dependencies.deployer.startBackup(project: project, environment: environment, service: service, trigger: .manual)
        return JSONResponse(backup, status: .created)
    }

    @Sendable func show(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<DatabaseBackup> {
        let (_, environment, service) = try await scope(.projectRead, context: context)
        return JSONResponse(try await backup(try context.parameters.require("backupId"), of: service, in: environment))
    }

    @Sendable func delete(_ request: Request, context: RailyardRequestContext) async throws -> Response {
        let (_, environment, service) = try await scope(.projectUpdate, context: context)
        try await dependencies.deployer.deleteBackup(try await backup(try context.parameters.require("backupId"), of: service, in: environment))
        return Response(status: .noContent)
    }

    /// Restores into this service a backup of any database service of the same project.
    @Sendable func restore(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<RestoredBackup> {
        let (project, environment, service) = try await scope(.projectUpdate, context: context)
        let body = try await request.decodeJSON(as: RestoreBackupRequest.self, context: context)
        guard let backup = try await dependencies.store.databaseBackup(id: body.backupId),
            let source = try await dependencies.store.service(id: backup.serviceId), source.projectId == project.id
        else { throw RailyardError.notFound("backup \(body.backupId) in project \(project.name)") }
        let deployment = try await dependencies.deployer.restoreBackup(backup, project: project, environment: environment, service: service)
        context.logger.info("backup restored", metadata: ["backup.id": "\(backup.id)", "service.id": "\(service.id)"])
        return JSONResponse(RestoredBackup(backup: backup, deployment: deployment))
    }

    @Sendable func policy(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<DatabaseBackupPolicy> {
        let (_, environment, service) = try await scope(.projectRead, context: context)
        return JSONResponse(try await dependencies.store.backupPolicy(serviceId: service.id, environmentId: environment.id) ?? DatabaseBackupPolicy())
    }

    @Sendable func updatePolicy(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<DatabaseBackupPolicy> {
        let (_, environment, service) = try await scope(.projectUpdate, context: context)
        let body = try await request.decodeJSON(as: UpdateBackupPolicyRequest.self, context: context)
        var policy = try await dependencies.store.backupPolicy(serviceId: service.id, environmentId: environment.id) ?? DatabaseBackupPolicy()
        if let schedule = body.schedule { policy.schedule = schedule.trimmingCharacters(in: .whitespaces).isEmpty ? nil : schedule }
        if let retain = body.retain { policy.retain = retain }
        try policy.validate()
        try await dependencies.store.saveBackupPolicy(policy, serviceId: service.id, environmentId: environment.id)
        let engine = service.source.database!
        try await dependencies.deployer.pruneBackups(
            serviceId: service.id, environmentId: environment.id, dump: DatabaseDump(engine: engine, programs: DatabasePrograms(paths: [:]))
        )
        return JSONResponse(policy)
    }

    private func backup(_ id: String, of service: Service, in environment: RailyardCore.Environment) async throws -> DatabaseBackup {
        guard let backup = try await dependencies.store.databaseBackup(id: id), backup.serviceId == service.id,
            backup.environmentId == environment.id
        else { throw RailyardError.notFound("backup \(id) of \(service.name) in \(environment.name)") }
        return backup
    }
}
