import Foundation
import RailyardCore
import SQLKit

extension SQLStore {
    public func createDatabaseBackup(_ backup: DatabaseBackup) async throws {
        try await engine.transaction { db in
            try await db.raw("""
                INSERT INTO database_backups (id, service_id, environment_id, engine, status, trigger, size_bytes, detail,
                created_at, finished_at)
                VALUES (\(bind: backup.id), \(bind: backup.serviceId), \(bind: backup.environmentId), \(bind: backup.engine.rawValue),
                \(bind: backup.status.rawValue), \(bind: backup.trigger.rawValue), \(bind: backup.sizeBytes.map { Int64($0) }),
                \(bind: backup.detail), \(bind: backup.createdAt.millis), \(bind: backup.finishedAt?.millis))
                """).run()
        }
    }

    public func finishDatabaseBackup(_ backup: DatabaseBackup) async throws {
        try await engine.transaction { db in
            try await db.raw("""
                UPDATE database_backups SET status = \(bind: backup.status.rawValue), size_bytes = \(bind: backup.sizeBytes.map { Int64($0) }),
                detail = \(bind: backup.detail), finished_at = \(bind: backup.finishedAt?.millis)
                WHERE id = \(bind: backup.id)
                """).run()
        }
    }

    public func databaseBackup(id: String) async throws -> DatabaseBackup? {
        try await engine.withConnection { db in
            try await db.raw("SELECT * FROM database_backups WHERE id = \(bind: id)").first()?.databaseBackup()
        }
    }

    public func databaseBackups(serviceId: String, environmentId: String) async throws -> [DatabaseBackup] {
        try await engine.withConnection { db in
            try await db.raw("""
                SELECT * FROM database_backups WHERE service_id = \(bind: serviceId) AND environment_id = \(bind: environmentId)
                ORDER BY created_at DESC, id DESC
                """).all().map { try $0.databaseBackup() }
        }
    }

    public func databaseBackups(status: DatabaseBackup.Status) async throws -> [DatabaseBackup] {
        try await engine.withConnection { db in
            try await db.raw("SELECT * FROM database_backups WHERE status = \(bind: status.rawValue) ORDER BY created_at, id")
                .all().map { try $0.databaseBackup() }
        }
    }

    public func deleteDatabaseBackup(id: String) async throws -> Bool {
        try await engine.transaction { db in
            let found = try await db.raw("SELECT id FROM database_backups WHERE id = \(bind: id)").first() != nil
            try await db.raw("DELETE FROM database_backups WHERE id = \(bind: id)").run()
            return found
        }
    }

    public func backupPolicy(serviceId: String, environmentId: String) async throws -> DatabaseBackupPolicy? {
        try await engine.withConnection { db in
            try await db.raw("""
                SELECT * FROM database_backup_policies WHERE service_id = \(bind: serviceId) AND environment_id = \(bind: environmentId)
                """).first()?.backupPolicy()
        }
    }

    public func saveBackupPolicy(_ policy: DatabaseBackupPolicy, serviceId: String, environmentId: String) async throws {
        try await engine.transaction { db in
            try await db.raw("""
                INSERT INTO database_backup_policies (service_id, environment_id, schedule, retain)
                VALUES (\(bind: serviceId), \(bind: environmentId), \(bind: policy.schedule), \(bind: Int64(policy.retain)))
                ON CONFLICT (service_id, environment_id) DO UPDATE SET schedule = excluded.schedule, retain = excluded.retain
                """).run()
        }
    }

    public func scheduledBackupPolicies() async throws -> [(serviceId: String, environmentId: String, policy: DatabaseBackupPolicy)] {
        try await engine.withConnection { db in
            try await db.raw("SELECT * FROM database_backup_policies WHERE schedule IS NOT NULL ORDER BY service_id, environment_id")
                .all().map { row in (try row.string("service_id"), try row.string("environment_id"), try row.backupPolicy()) }
        }
    }
}

extension SQLRow {
    func databaseBackup() throws -> DatabaseBackup {
        let engineText = try string("engine"), statusText = try string("status"), triggerText = try string("trigger")
        guard let engine = RailyardCore.DatabaseEngine(rawValue: engineText), let status = DatabaseBackup.Status(rawValue: statusText),
            let trigger = DatabaseBackup.Trigger(rawValue: triggerText)
        else { throw RailyardError(.internal, "stored backup has an unknown engine, status or trigger (\(engineText), \(statusText), \(triggerText))") }
        return DatabaseBackup(
            id: try string("id"), serviceId: try string("service_id"), environmentId: try string("environment_id"), engine: engine,
            status: status, trigger: trigger, sizeBytes: try decode(column: "size_bytes", as: Int64?.self).map { Int($0) },
            detail: try optionalString("detail"), createdAt: try date("created_at"), finishedAt: try optionalDate("finished_at")
        )
    }

    func backupPolicy() throws -> DatabaseBackupPolicy {
        DatabaseBackupPolicy(schedule: try optionalString("schedule"), retain: Int(try decode(column: "retain", as: Int64.self)))
    }
}
