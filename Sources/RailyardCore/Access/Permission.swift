/// One thing a route may do. Every route names exactly one; ``PermissionTable`` says who holds it.
public enum Permission: String, Sendable, CaseIterable, Codable {
    /// See the workspace and list its projects.
    case workspaceRead = "workspace.read"
    /// Add members; invite people and revoke invitations.
    case workspaceManageMembers = "workspace.members.manage"
    /// Read the workspace's audit log.
    case workspaceAuditRead = "workspace.audit.read"
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
/// Owners and admins hold everything (only an owner may make another owner, which the members
/// route checks); members build and deploy but cannot manage the team, delete projects or reveal
/// sealed variables; viewers read and change nothing. Someone who is not a member at all holds
/// nothing (and gets 404, not 403).
public enum PermissionTable {
    /// The permissions each role holds.
    public static let grants: [Role: Set<Permission>] = [
        .owner: Set(Permission.allCases),
        .admin: Set(Permission.allCases),
        .member: [.workspaceRead, .projectCreate, .projectRead, .projectUpdate, .serviceDeploy, .variablesRead, .variablesWrite],
        .viewer: [.workspaceRead, .projectRead, .variablesRead],
    ]

    /// Whether `role` holds `permission`.
    public static func allows(_ role: Role, _ permission: Permission) -> Bool {
        grants[role]?.contains(permission) ?? false
    }
}
