import Foundation
import RailyardCore
import SQLKit

extension SQLStore {
    public func createProject(workspaceId: String, name: String, description: String) async throws -> ProjectDetail {
        let now = Date().millis
        let projectId = Self.newID()
        let conflict = "a project named '\(name)' already exists in this workspace"
        return try await write(conflict: conflict, field: "name") { db in
            if try await db.raw(
                "SELECT id FROM projects WHERE workspace_id = \(bind: workspaceId) AND name = \(bind: name)"
            ).first() != nil {
                throw RailyardError(.conflict, conflict, field: "name")
            }
            try await db.raw("""
                INSERT INTO projects (id, workspace_id, name, description, created_at, updated_at)
                VALUES (\(bind: projectId), \(bind: workspaceId), \(bind: name), \(bind: description), \(bind: now), \(bind: now))
                """).run()
            try await db.raw("""
                INSERT INTO environments (id, project_id, name, created_at)
                VALUES (\(bind: Self.newID()), \(bind: projectId), \(bind: Environment.defaultName), \(bind: now))
                """).run()
            return try await Self.projectDetail(db, id: projectId)!
        }
    }

    public func project(id: String) async throws -> Project? {
        try await engine.withConnection { db in
            try await db.raw("SELECT * FROM projects WHERE id = \(bind: id)").first()?.project()
        }
    }

    public func projectDetail(id: String) async throws -> ProjectDetail? {
        try await engine.withConnection { db in try await Self.projectDetail(db, id: id) }
    }

    public func projects(workspaceIds: [String]) async throws -> [Project] {
        guard !workspaceIds.isEmpty else { return [] }
        return try await engine.withConnection { db in
            try await db.raw(
                "SELECT * FROM projects WHERE workspace_id IN (\(binds: workspaceIds)) ORDER BY name, id"
            ).all().map { try $0.project() }
        }
    }

    public func updateProject(id: String, name: String?, description: String?) async throws -> Project {
        let conflict = "a project named '\(name ?? "")' already exists in this workspace"
        return try await write(conflict: conflict, field: "name") { db in
            guard let project = try await db.raw("SELECT * FROM projects WHERE id = \(bind: id)").first()?.project() else {
                throw RailyardError.notFound("project")
            }
            if let name, name != project.name, try await db.raw(
                "SELECT id FROM projects WHERE workspace_id = \(bind: project.workspaceId) AND name = \(bind: name)"
            ).first() != nil {
                throw RailyardError(.conflict, conflict, field: "name")
            }
            try await db.raw("""
                UPDATE projects SET name = \(bind: name ?? project.name), description = \(bind: description ?? project.description),
                updated_at = \(bind: Date().millis) WHERE id = \(bind: id)
                """).run()
            return try await db.raw("SELECT * FROM projects WHERE id = \(bind: id)").first()!.project()
        }
    }

    public func deleteProject(id: String) async throws {
        try await engine.transaction { db in
            try await db.raw("DELETE FROM projects WHERE id = \(bind: id)").run()
        }
    }

    // MARK: Environments

    public func environments(projectId: String) async throws -> [RailyardCore.Environment] {
        try await engine.withConnection { db in try await Self.environments(db, projectId: projectId) }
    }

    public func createEnvironment(projectId: String, name: String, duplicating sourceId: String?) async throws -> RailyardCore.Environment {
        let conflict = "an environment named '\(name)' already exists in this project"
        let now = Date().millis
        let id = Self.newID()
        let sealer = self.sealer
        return try await write(conflict: conflict, field: "name") { db in
            if try await db.raw(
                "SELECT id FROM environments WHERE project_id = \(bind: projectId) AND name = \(bind: name)"
            ).first() != nil {
                throw RailyardError(.conflict, conflict, field: "name")
            }
            if let sourceId, try await db.raw(
                "SELECT id FROM environments WHERE id = \(bind: sourceId) AND project_id = \(bind: projectId)"
            ).first() == nil {
                throw RailyardError(.notFound, "environment to duplicate not found in this project", field: "duplicateFrom")
            }
            try await db.raw("""
                INSERT INTO environments (id, project_id, name, created_at)
                VALUES (\(bind: id), \(bind: projectId), \(bind: name), \(bind: now))
                """).run()
            if let sourceId {
                // Values are re-sealed: each is bound to its row, environment included.
                for row in try await db.raw(
                    "SELECT service_id, key, sealed_value FROM service_variables WHERE environment_id = \(bind: sourceId)"
                ).all() {
                    let serviceId = try row.string("service_id"), key = try row.string("key")
                    let value = try sealer.open(try row.string("sealed_value"), context: VariableSealer.context(environmentId: sourceId, serviceId: serviceId, key: key))
                    try await Self.putVariable(db, sealer: sealer, environmentId: id, serviceId: serviceId, key: key, value: value, now: now)
                }
                for row in try await db.raw(
                    "SELECT key, sealed_value FROM shared_variables WHERE environment_id = \(bind: sourceId)"
                ).all() {
                    let key = try row.string("key")
                    let value = try sealer.open(try row.string("sealed_value"), context: VariableSealer.context(environmentId: sourceId, serviceId: nil, key: key))
                    try await Self.putVariable(db, sealer: sealer, environmentId: id, serviceId: nil, key: key, value: value, now: now)
                }
            }
            return try await db.raw("SELECT * FROM environments WHERE id = \(bind: id)").first()!.environment()
        }
    }

    public func deleteEnvironment(projectId: String, id: String) async throws {
        try await engine.transaction { db in
            let environments = try await Self.environments(db, projectId: projectId)
            guard environments.contains(where: { $0.id == id }) else { throw RailyardError.notFound("environment") }
            guard environments.count > 1 else {
                throw RailyardError(.conflict, "a project needs at least one environment; create another before deleting this one")
            }
            try await db.raw("DELETE FROM environments WHERE id = \(bind: id)").run()
        }
    }

    // MARK: Services

    public func services(projectId: String) async throws -> [Service] {
        try await engine.withConnection { db in try await Self.services(db, projectId: projectId) }
    }

    public func service(id: String) async throws -> Service? {
        try await engine.withConnection { db in
            try await db.raw("SELECT * FROM services WHERE id = \(bind: id)").first()?.service()
        }
    }

    public func createService(projectId: String, name: String, source: ServiceSource) async throws -> Service {
        let conflict = "a service named '\(name)' already exists in this project"
        let now = Date().millis
        let id = Self.newID()
        return try await write(conflict: conflict, field: "name") { db in
            if try await db.raw("SELECT id FROM services WHERE project_id = \(bind: projectId) AND name = \(bind: name)").first() != nil {
                throw RailyardError(.conflict, conflict, field: "name")
            }
            try await db.raw("""
                INSERT INTO services (id, project_id, name, source_repo, source_branch, source_root_directory, source_database,
                created_at, updated_at)
                VALUES (\(bind: id), \(bind: projectId), \(bind: name), \(bind: source.repo), \(bind: source.branch),
                \(bind: source.rootDirectory), \(bind: source.database?.rawValue), \(bind: now), \(bind: now))
                """).run()
            return try await db.raw("SELECT * FROM services WHERE id = \(bind: id)").first()!.service()
        }
    }

    public func updateService(id: String, name: String?, source: ServiceSource?) async throws -> Service {
        let conflict = "a service named '\(name ?? "")' already exists in this project"
        return try await write(conflict: conflict, field: "name") { db in
            guard let service = try await db.raw("SELECT * FROM services WHERE id = \(bind: id)").first()?.service() else {
                throw RailyardError.notFound("service")
            }
            if let name, name != service.name, try await db.raw(
                "SELECT id FROM services WHERE project_id = \(bind: service.projectId) AND name = \(bind: name)"
            ).first() != nil {
                throw RailyardError(.conflict, conflict, field: "name")
            }
            let source = source ?? service.source
            try await db.raw("""
                UPDATE services SET name = \(bind: name ?? service.name), source_repo = \(bind: source.repo),
                source_branch = \(bind: source.branch), source_root_directory = \(bind: source.rootDirectory),
                updated_at = \(bind: Date().millis) WHERE id = \(bind: id)
                """).run()
            return try await db.raw("SELECT * FROM services WHERE id = \(bind: id)").first()!.service()
        }
    }

    public func deleteService(id: String) async throws {
        try await engine.transaction { db in
            try await db.raw("DELETE FROM services WHERE id = \(bind: id)").run()
        }
    }

    // MARK: Helpers inside transactions

    static func projectDetail(_ db: any SQLDatabase, id: String) async throws -> ProjectDetail? {
        guard let project = try await db.raw("SELECT * FROM projects WHERE id = \(bind: id)").first()?.project() else {
            return nil
        }
        return ProjectDetail(
            project: project,
            environments: try await environments(db, projectId: id),
            services: try await services(db, projectId: id)
        )
    }

    static func environments(_ db: any SQLDatabase, projectId: String) async throws -> [RailyardCore.Environment] {
        try await db.raw(
            "SELECT * FROM environments WHERE project_id = \(bind: projectId) ORDER BY created_at, name"
        ).all().map { try $0.environment() }
    }

    static func services(_ db: any SQLDatabase, projectId: String) async throws -> [Service] {
        try await db.raw("SELECT * FROM services WHERE project_id = \(bind: projectId) ORDER BY name").all().map { try $0.service() }
    }
}
