import RailyardCore

extension RailyardClient {
    /// `POST /api/v1/projects/{projectId}/databases`: adds a database service and deploys it.
    public func addDatabase(projectId: String, _ request: CreateDatabaseRequest) async throws -> CreatedDatabase {
        try await send(.POST, Self.projectPath(projectId) + "/databases", body: request)
    }
}

extension RailyardClient {
    static func backupsPath(_ projectId: String, _ environmentId: String, _ serviceId: String) -> String {
        serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/backups"
    }

    /// `GET …/services/{serviceId}/backups`: a database's backups in one environment, newest first.
    public func backups(projectId: String, environmentId: String, serviceId: String) async throws -> [DatabaseBackup] {
        try await send(.GET, Self.backupsPath(projectId, environmentId, serviceId))
    }

    /// `POST …/services/{serviceId}/backups`: starts a backup (RUNNING).
    public func createBackup(projectId: String, environmentId: String, serviceId: String) async throws -> DatabaseBackup {
        try await send(.POST, Self.backupsPath(projectId, environmentId, serviceId))
    }

    /// `GET …/services/{serviceId}/backups/{backupId}`.
    public func backup(projectId: String, environmentId: String, serviceId: String, backupId: String) async throws -> DatabaseBackup {
        try await send(.GET, Self.backupsPath(projectId, environmentId, serviceId) + "/\(Self.segment(backupId))")
    }

    /// `DELETE …/services/{serviceId}/backups/{backupId}`.
    public func deleteBackup(projectId: String, environmentId: String, serviceId: String, backupId: String) async throws {
        try await sendExpectingNoContent(.DELETE, Self.backupsPath(projectId, environmentId, serviceId) + "/\(Self.segment(backupId))")
    }

    /// `POST …/services/{serviceId}/backups/restore`: restores a backup into this service.
    public func restoreBackup(projectId: String, environmentId: String, serviceId: String, backupId: String) async throws -> RestoredBackup {
        try await send(.POST, Self.backupsPath(projectId, environmentId, serviceId) + "/restore", body: RestoreBackupRequest(backupId: backupId))
    }

    /// `GET …/services/{serviceId}/backup-policy`.
    public func backupPolicy(projectId: String, environmentId: String, serviceId: String) async throws -> DatabaseBackupPolicy {
        try await send(.GET, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/backup-policy")
    }

    /// `PUT …/services/{serviceId}/backup-policy`.
    public func updateBackupPolicy(
        projectId: String, environmentId: String, serviceId: String, _ request: UpdateBackupPolicyRequest
    ) async throws -> DatabaseBackupPolicy {
        try await send(.PUT, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/backup-policy", body: request)
    }
}
