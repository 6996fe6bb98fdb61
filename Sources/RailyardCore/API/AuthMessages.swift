/// `POST /api/v1/auth/signup`.
public struct SignupRequest: Codable, Sendable {
    public var email: String
    public var password: String
    public var name: String?
    public init(email: String, password: String, name: String? = nil) {
        self.email = email
        self.password = password
        self.name = name
    }
}

/// `POST /api/v1/auth/login`.
public struct LoginRequest: Codable, Sendable {
    public var email: String
    public var password: String
    public init(email: String, password: String) {
        self.email = email
        self.password = password
    }
}

/// What a successful sign-up, login or GitHub callback returns: a session token and who it is for.
public struct AuthResponse: Codable, Sendable {
    /// A JWT session token; send it as `Authorization: Bearer …`.
    public var token: String
    public var expiresAt: Double
    public var user: User
    public init(token: String, expiresAt: Double, user: User) {
        self.token = token
        self.expiresAt = expiresAt
        self.user = user
    }
}

/// `GET /api/v1/me`: who the caller is and which workspaces they belong to.
public struct Me: Codable, Sendable {
    public var user: User
    public var workspaces: [WorkspaceMembership]
    public init(user: User, workspaces: [WorkspaceMembership]) {
        self.user = user
        self.workspaces = workspaces
    }
}

/// `POST /api/v1/tokens`.
public struct CreateTokenRequest: Codable, Sendable {
    public var name: String
    public init(name: String) { self.name = name }
}

/// A newly created API token: the secret appears here once and is stored only as a hash.
public struct CreatedToken: Codable, Sendable {
    public var token: String
    public var apiToken: APIToken
    public init(token: String, apiToken: APIToken) {
        self.token = token
        self.apiToken = apiToken
    }
}

/// `POST /api/v1/workspaces/{workspaceId}/members`: add an existing user by email.
public struct AddMemberRequest: Codable, Sendable {
    public var email: String
    public var role: Role
    public init(email: String, role: Role) {
        self.email = email
        self.role = role
    }
}
