import Foundation
import RailyardCore
import SQLKit

extension SQLStore {
    public func variables(environmentId: String, serviceId: String?) async throws -> [String: String] {
        let sealer = self.sealer
        return try await engine.withConnection { db in
            try await Self.variables(db, sealer: sealer, environmentId: environmentId, serviceId: serviceId)
        }
    }

    public func updateVariables(
        environmentId: String, serviceId: String?, set: [String: String], delete: [String]
    ) async throws -> [String: String] {
        let sealer = self.sealer
        let now = Date().millis
        return try await engine.transaction { db in
            for key in delete {
                if let serviceId {
                    try await db.raw("""
                        DELETE FROM service_variables
                        WHERE environment_id = \(bind: environmentId) AND service_id = \(bind: serviceId) AND key = \(bind: key)
                        """).run()
                } else {
                    try await db.raw(
                        "DELETE FROM shared_variables WHERE environment_id = \(bind: environmentId) AND key = \(bind: key)"
                    ).run()
                }
            }
            for (key, value) in set.sorted(by: { $0.key < $1.key }) {
                try await Self.putVariable(db, sealer: sealer, environmentId: environmentId, serviceId: serviceId, key: key, value: value, now: now)
            }
            return try await Self.variables(db, sealer: sealer, environmentId: environmentId, serviceId: serviceId)
        }
    }

    static func variables(
        _ db: any SQLDatabase, sealer: VariableSealer, environmentId: String, serviceId: String?
    ) async throws -> [String: String] {
        let rows = if let serviceId {
            try await db.raw("""
                SELECT key, sealed_value FROM service_variables
                WHERE environment_id = \(bind: environmentId) AND service_id = \(bind: serviceId)
                """).all()
        } else {
            try await db.raw(
                "SELECT key, sealed_value FROM shared_variables WHERE environment_id = \(bind: environmentId)"
            ).all()
        }
        var result: [String: String] = [:]
        for row in rows {
            let key = try row.string("key")
            result[key] = try sealer.open(
                try row.string("sealed_value"),
                context: VariableSealer.context(environmentId: environmentId, serviceId: serviceId, key: key)
            )
        }
        return result
    }

    /// Inserts or replaces one variable, sealed for its row.
    static func putVariable(
        _ db: any SQLDatabase, sealer: VariableSealer, environmentId: String, serviceId: String?, key: String, value: String, now: Int64
    ) async throws {
        let sealed = try sealer.seal(value, context: VariableSealer.context(environmentId: environmentId, serviceId: serviceId, key: key))
        if let serviceId {
            try await db.raw("""
                INSERT INTO service_variables (environment_id, service_id, key, sealed_value, updated_at)
                VALUES (\(bind: environmentId), \(bind: serviceId), \(bind: key), \(bind: sealed), \(bind: now))
                ON CONFLICT (environment_id, service_id, key) DO UPDATE SET sealed_value = excluded.sealed_value, updated_at = excluded.updated_at
                """).run()
        } else {
            try await db.raw("""
                INSERT INTO shared_variables (environment_id, key, sealed_value, updated_at)
                VALUES (\(bind: environmentId), \(bind: key), \(bind: sealed), \(bind: now))
                ON CONFLICT (environment_id, key) DO UPDATE SET sealed_value = excluded.sealed_value, updated_at = excluded.updated_at
                """).run()
        }
    }
}
