import Foundation

/// A person who signs in to Railyard, by password, GitHub, or an API token.
public struct User: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var email: String?
    public var name: String?
    public var githubId: String?
    public var githubLogin: String?
    public var avatarURL: String?
    public var createdAt: Date

    public init(
        id: String, email: String?, name: String?, githubId: String? = nil,
        githubLogin: String? = nil, avatarURL: String? = nil, createdAt: Date
    ) {
        self.id = id
        self.email = email
        self.name = name
        self.githubId = githubId
        self.githubLogin = githubLogin
        self.avatarURL = avatarURL
        self.createdAt = createdAt
    }
}

/// A long-lived API token as listed: never its secret, which is shown once at creation.
public struct APIToken: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    /// The first characters of the token, so a person can tell tokens apart.
    public var prefix: String
    public var createdAt: Date
    public var lastUsedAt: Date?

    public init(id: String, name: String, prefix: String, createdAt: Date, lastUsedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.prefix = prefix
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}
