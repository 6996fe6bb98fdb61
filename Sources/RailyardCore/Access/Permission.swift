/// One thing a route may do. Every route names exactly one; ``PermissionTable`` says who holds it.
public enum Permission: String, Sendable, CaseIterable, Codable {
    /// See the workspace and list its projects.
    case workspaceRead = "workspace.read"
    /// Add, change or remove members.
    case workspaceManageMembers = "workspace.members.manage"
    /// Create a project in the workspace.
    case projectCreate = "project.create"
    /// See a project, its environments and services.
    case projectRead = "project.read"
    /// Rename or describe a project; create and remove environments and services.
    case projectUpdate = "project.update"
    /// Delete a project and everything in it.
    case projectDelete = "project.delete"
    /// Deploy, redeploy, stop or roll back a service.
    case serviceDeploy = "service.deploy"
    /// List variables (masked).
    case variablesRead = "variables.read"
    /// Set or delete variables.
    case variablesWrite = "variables.write"
    /// See variable values unmasked.
    case variablesReveal = "variables.reveal"
}

/// The one table that says which role holds which permission.
///
/// For now everything but seeing the workspace is owner-only; the access issue fills in admin,
/// member and viewer. Someone who is not a member at all holds nothing (and gets 404, not 403).
public enum PermissionTable {
    /// The permissions each role holds.
    public static let grants: [Role: Set<Permission>] = [
        .owner: Set(Permission.allCases),
        .admin: [.workspaceRead],
        .member: [.workspaceRead],
        .viewer: [.workspaceRead],
    ]

    /// Whether `role` holds `permission`.
    public static func allows(_ role: Role, _ permission: Permission) -> Bool {
        grants[role]?.contains(permission) ?? false
    }
}
