import RailyardCore
import RailyardStore

/// The one place routes ask "may this caller do this here?", answered by ``PermissionTable``.
///
/// Someone outside the workspace gets 404 — the thing's existence is not revealed; a member whose
/// role lacks the permission gets 403.
struct Access: Sendable {
    let store: any Store

    /// Checks that the caller holds `permission` in `workspaceId` and returns their role;
    /// `what` names the thing in the 404 a non-member gets.
    @discardableResult
    func authorize(
        _ permission: Permission, workspaceId: String, what: String, context: RailyardRequestContext
    ) async throws -> Role {
        let role = try await authorize(permission, workspaceId: workspaceId, what: what, user: try context.requireUser())
        // What the audit log records the request's change under, should it succeed.
        context.audit.workspaceId = workspaceId
        return role
    }

    /// ``authorize(_:workspaceId:what:context:)`` for a user known without a request (the events socket).
    @discardableResult
    func authorize(_ permission: Permission, workspaceId: String, what: String, user: User) async throws -> Role {
        guard let role = try await store.role(userId: user.id, workspaceId: workspaceId) else {
            throw RailyardError.notFound(what)
        }
        guard PermissionTable.allows(role, permission) else {
            throw RailyardError(
                .forbidden,
                "your role '\(role.rawValue)' in this workspace does not allow \(permission.rawValue); ask a workspace owner"
            )
        }
        return role
    }

    /// The project `id`, if the caller holds `permission` in its workspace.
    func project(_ id: String, _ permission: Permission, context: RailyardRequestContext) async throws -> Project {
        _ = try context.requireUser()
        guard let project = try await store.project(id: id) else { throw RailyardError.notFound("project \(id)") }
        try await authorize(permission, workspaceId: project.workspaceId, what: "project \(id)", context: context)
        return project
    }

    /// The project `id`, if `user` holds `permission` in its workspace.
    func project(_ id: String, _ permission: Permission, user: User) async throws -> Project {
        guard let project = try await store.project(id: id) else { throw RailyardError.notFound("project \(id)") }
        try await authorize(permission, workspaceId: project.workspaceId, what: "project \(id)", user: user)
        return project
    }

    /// The environment `id` of `project`; 404 when it belongs to another project.
    func environment(_ id: String, of project: Project) async throws -> RailyardCore.Environment {
        let environments = try await store.environments(projectId: project.id)
        guard let environment = environments.first(where: { $0.id == id }) else {
            throw RailyardError.notFound("environment \(id) in project \(project.name)")
        }
        return environment
    }

    /// The service `id` of `project`; 404 when it belongs to another project.
    func service(_ id: String, of project: Project) async throws -> Service {
        guard let service = try await store.service(id: id), service.projectId == project.id else {
            throw RailyardError.notFound("service \(id) in project \(project.name)")
        }
        return service
    }
}
