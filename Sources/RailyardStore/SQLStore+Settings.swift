import Foundation
import RailyardCore
import SQLKit

/// Service settings and the configs deployments went out with, stored as JSON text: the config's
/// shape follows Railway's keys and grows with them, and nothing queries inside it.
extension SQLStore {
    public func serviceSettings(serviceId: String, environmentId: String) async throws -> ServiceConfig {
        let text = try await engine.withConnection { db in
            try await db.raw("""
                SELECT config FROM service_settings WHERE service_id = \(bind: serviceId) AND environment_id = \(bind: environmentId)
                """).first()?.string("config")
        }
        return try text.map { try Self.decodeConfig($0, what: "settings of service \(serviceId)") } ?? ServiceConfig()
    }

    public func saveServiceSettings(_ settings: ServiceConfig, serviceId: String, environmentId: String) async throws {
        let text = try Self.encodeConfig(settings)
        let now = Date().millis
        try await engine.transaction { db in
            try await db.raw("""
                INSERT INTO service_settings (service_id, environment_id, config, updated_at)
                VALUES (\(bind: serviceId), \(bind: environmentId), \(bind: text), \(bind: now))
                ON CONFLICT (service_id, environment_id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at
                """).run()
        }
    }

    public func saveDeploymentConfig(_ config: ServiceConfig, deploymentId: String) async throws {
        let text = try Self.encodeConfig(config)
        try await engine.transaction { db in
            try await db.raw("""
                INSERT INTO deployment_configs (deployment_id, config) VALUES (\(bind: deploymentId), \(bind: text))
                ON CONFLICT (deployment_id) DO UPDATE SET config = excluded.config
                """).run()
        }
    }

    public func deploymentConfig(deploymentId: String) async throws -> ServiceConfig? {
        let text = try await engine.withConnection { db in
            try await db.raw("SELECT config FROM deployment_configs WHERE deployment_id = \(bind: deploymentId)").first()?.string("config")
        }
        return try text.map { try Self.decodeConfig($0, what: "config of deployment \(deploymentId)") }
    }

    static func encodeConfig(_ config: ServiceConfig) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(config), as: UTF8.self)
    }

    static func decodeConfig(_ text: String, what: String) throws -> ServiceConfig {
        do {
            return try JSONDecoder().decode(ServiceConfig.self, from: Data(text.utf8))
        } catch {
            throw RailyardError(.internal, "the stored \(what) could not be read: \(error)")
        }
    }
}
