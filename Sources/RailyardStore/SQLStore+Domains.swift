import Foundation
import RailyardCore
import SQLKit

extension SQLStore {
    public func domains(serviceId: String, environmentId: String) async throws -> [ServiceDomain] {
        try await engine.withConnection { db in
            try await db.raw("""
                SELECT * FROM domains WHERE service_id = \(bind: serviceId) AND environment_id = \(bind: environmentId)
                ORDER BY created_at, host
                """).all().map { try $0.domain() }
        }
    }

    public func allDomains() async throws -> [ServiceDomain] {
        try await engine.withConnection { db in
            try await db.raw("SELECT * FROM domains ORDER BY host").all().map { try $0.domain() }
        }
    }

    public func ensureGeneratedDomain(serviceId: String, environmentId: String, candidates: [String]) async throws -> ServiceDomain {
        try await write(conflict: "every candidate host name is taken") { db in
            if let existing = try await db.raw("""
                SELECT * FROM domains WHERE service_id = \(bind: serviceId) AND environment_id = \(bind: environmentId)
                AND kind = \(bind: ServiceDomain.Kind.generated.rawValue)
                """).first() {
                return try existing.domain()
            }
            for host in candidates {
                guard try await db.raw("SELECT id FROM domains WHERE host = \(bind: host)").first() == nil else { continue }
                let domain = ServiceDomain(
                    id: Self.newID(), serviceId: serviceId, environmentId: environmentId, host: host, kind: .generated,
                    createdAt: Date(millis: Date().millis)
                )
                try await db.raw("""
                    INSERT INTO domains (id, service_id, environment_id, host, kind, created_at)
                    VALUES (\(bind: domain.id), \(bind: serviceId), \(bind: environmentId), \(bind: host),
                    \(bind: domain.kind.rawValue), \(bind: domain.createdAt.millis))
                    """).run()
                return domain
            }
            throw RailyardError(.conflict, "every candidate host name for this service is taken: \(candidates.joined(separator: ", "))")
        }
    }

    public func createCustomDomain(serviceId: String, environmentId: String, host: String) async throws -> ServiceDomain {
        let domain = ServiceDomain(
            id: Self.newID(), serviceId: serviceId, environmentId: environmentId, host: host, kind: .custom,
            createdAt: Date(millis: Date().millis)
        )
        return try await write(conflict: "\(host) is already in use", field: "domain") { db in
            if let holder = try await db.raw("""
                SELECT d.service_id, d.environment_id, s.name AS service_name, e.name AS environment_name,
                p.name AS project_name, p.workspace_id
                FROM domains d JOIN services s ON s.id = d.service_id JOIN environments e ON e.id = d.environment_id
                JOIN projects p ON p.id = s.project_id
                WHERE d.host = \(bind: host)
                """).first() {
                let workspace = try await db.raw("""
                    SELECT p.workspace_id FROM services s JOIN projects p ON p.id = s.project_id WHERE s.id = \(bind: serviceId)
                    """).first()?.string("workspace_id")
                throw try Self.domainConflict(host: host, holder: holder, serviceId: serviceId, environmentId: environmentId, workspaceId: workspace)
            }
            try await db.raw("""
                INSERT INTO domains (id, service_id, environment_id, host, kind, created_at)
                VALUES (\(bind: domain.id), \(bind: serviceId), \(bind: environmentId), \(bind: host),
                \(bind: domain.kind.rawValue), \(bind: domain.createdAt.millis))
                """).run()
            return domain
        }
    }

    public func deleteDomain(id: String) async throws -> Bool {
        try await engine.transaction { db in
            let existed = try await db.raw("SELECT id FROM domains WHERE id = \(bind: id)").first() != nil
            try await db.raw("DELETE FROM domains WHERE id = \(bind: id)").run()
            return existed
        }
    }

    /// Who holds `host`, said as far as the asker may know: the service, environment and project
    /// when they are in the asker's own workspace, nothing about anyone else's.
    private static func domainConflict(
        host: String, holder: any SQLRow, serviceId: String, environmentId: String, workspaceId: String?
    ) throws -> RailyardError {
        guard try holder.string("workspace_id") == workspaceId else {
            return RailyardError(.conflict, "\(host) is already in use", field: "domain")
        }
        if try holder.string("service_id") == serviceId, try holder.string("environment_id") == environmentId {
            return RailyardError(.conflict, "\(host) is already a domain of this service", field: "domain")
        }
        let owner = "service \(try holder.string("service_name")) in environment \(try holder.string("environment_name"))"
            + " of project \(try holder.string("project_name"))"
        return RailyardError(
            .conflict, "\(host) is already in use by \(owner); remove it from there first", field: "domain"
        )
    }
}
