import Foundation

/// A team's home: it owns projects and has members with roles. Every user gets a personal one.
public struct Workspace: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    /// The plan tier (the seed guide's user tier): `free` for personal workspaces.
    public var tier: String
    /// Set for a user's personal workspace: that user's id.
    public var personalOwnerId: String?
    public var createdAt: Date

    public init(id: String, name: String, tier: String, personalOwnerId: String?, createdAt: Date) {
        self.id = id
        self.name = name
        self.tier = tier
        self.personalOwnerId = personalOwnerId
        self.createdAt = createdAt
    }
}

/// A workspace as seen by one of its members: the workspace and that member's role in it.
public struct WorkspaceMembership: Codable, Sendable, Equatable {
    public var workspace: Workspace
    public var role: Role

    public init(workspace: Workspace, role: Role) {
        self.workspace = workspace
        self.role = role
    }
}

/// A member of a workspace as listed to the team.
public struct Member: Codable, Sendable, Equatable {
    public var user: User
    public var role: Role
    public var joinedAt: Date

    public init(user: User, role: Role, joinedAt: Date) {
        self.user = user
        self.role = role
        self.joinedAt = joinedAt
    }
}
