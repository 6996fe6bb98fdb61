import Foundation
import RailyardCore
import SQLKit

extension SQLStore {
    public func createVolume(serviceId: String, environmentId: String, mountPath: String) async throws -> Volume {
        let volume = Volume(
            id: Self.newID(), serviceId: serviceId, environmentId: environmentId, mountPath: mountPath,
            createdAt: Date(millis: Date().millis)
        )
        return try await write(
            conflict: "this service already has a volume in this environment (one per service); remove it first", field: "mountPath"
        ) { db in
            try await db.raw("""
                INSERT INTO volumes (id, service_id, environment_id, mount_path, created_at)
                VALUES (\(bind: volume.id), \(bind: serviceId), \(bind: environmentId), \(bind: mountPath), \(bind: volume.createdAt.millis))
                """).run()
            return volume
        }
    }

    public func volumes(serviceId: String, environmentId: String) async throws -> [Volume] {
        try await engine.withConnection { db in
            try await db.raw("""
                SELECT * FROM volumes WHERE service_id = \(bind: serviceId) AND environment_id = \(bind: environmentId) ORDER BY created_at
                """).all().map { row in
                Volume(
                    id: try row.string("id"), serviceId: try row.string("service_id"), environmentId: try row.string("environment_id"),
                    mountPath: try row.string("mount_path"), createdAt: try row.date("created_at")
                )
            }
        }
    }

    public func deleteVolume(id: String) async throws -> Bool {
        try await engine.transaction { db in
            let existed = try await db.raw("SELECT id FROM volumes WHERE id = \(bind: id)").first() != nil
            try await db.raw("DELETE FROM volumes WHERE id = \(bind: id)").run()
            return existed
        }
    }
}
