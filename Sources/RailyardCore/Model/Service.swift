import Foundation

/// Where a service's code comes from: folders uploaded by `railyard up`, a git repository, or
/// (for a database service) the host's database server program.
public struct ServiceSource: Codable, Sendable, Equatable {
    /// A git URL; nil means the source is whatever `railyard up` uploads.
    public var repo: String?
    /// The branch to deploy from a git repository (default `main`).
    public var branch: String?
    /// A sub-folder that holds the service (monorepos): of the repository, or of the folder
    /// `railyard up` uploads. The build sees only this folder.
    public var rootDirectory: String?
    /// Set for a database service: the server it runs (set by `POST …/databases`, never changed).
    public var database: DatabaseEngine?

    public init(repo: String? = nil, branch: String? = nil, rootDirectory: String? = nil, database: DatabaseEngine? = nil) {
        self.repo = repo
        self.branch = branch
        self.rootDirectory = rootDirectory
        self.database = database
    }

    /// The branch deployed when none is set.
    public static let defaultBranch = "main"

    /// The branch to deploy: ``branch`` or ``defaultBranch``.
    public var effectiveBranch: String { branch ?? Self.defaultBranch }

    /// An uploaded-folder source.
    public static let upload = ServiceSource()

    /// Whether the source is a git repository.
    public var isGit: Bool { repo != nil }
}

/// A deployable unit of a project: one app or database, present in every environment.
public struct Service: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var projectId: String
    public var name: String
    public var source: ServiceSource
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, projectId: String, name: String, source: ServiceSource, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.projectId = projectId
        self.name = name
        self.source = source
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// One variable as listed: its value, or a mask when the caller did not ask to reveal.
public struct Variable: Codable, Sendable, Equatable {
    /// What a hidden value shows as.
    public static let mask = "********"

    public var key: String
    public var value: String
    public var masked: Bool

    public init(key: String, value: String, masked: Bool) {
        self.key = key
        self.value = value
        self.masked = masked
    }
}
