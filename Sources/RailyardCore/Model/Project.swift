import Foundation

/// A group of services that deploy together, owned by a workspace, present in every environment.
public struct Project: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var workspaceId: String
    public var name: String
    public var description: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, workspaceId: String, name: String, description: String, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.workspaceId = workspaceId
        self.name = name
        self.description = description
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// An isolated copy of a project's services and variables (`production`, `staging`, a PR preview).
public struct Environment: Codable, Sendable, Equatable, Identifiable {
    /// The environment every project is created with.
    public static let defaultName = "production"

    public var id: String
    public var projectId: String
    public var name: String
    public var createdAt: Date

    public init(id: String, projectId: String, name: String, createdAt: Date) {
        self.id = id
        self.projectId = projectId
        self.name = name
        self.createdAt = createdAt
    }
}

/// A project with its environments and services, as the API returns it.
public struct ProjectDetail: Codable, Sendable, Equatable {
    public var project: Project
    public var environments: [Environment]
    public var services: [Service]

    public init(project: Project, environments: [Environment], services: [Service]) {
        self.project = project
        self.environments = environments
        self.services = services
    }
}
