import RailyardCore

extension RailyardClient {
    /// `POST /api/v1/auth/signup`: creates an account and returns a session.
    public func signup(_ request: SignupRequest) async throws -> AuthResponse {
        try await send(.POST, "/api/v1/auth/signup", body: request)
    }

    /// `POST /api/v1/auth/login`: exchanges email and password for a session.
    public func login(_ request: LoginRequest) async throws -> AuthResponse {
        try await send(.POST, "/api/v1/auth/login", body: request)
    }

    /// `GET /api/v1/me`: who the token belongs to.
    public func me() async throws -> Me {
        try await send(.GET, "/api/v1/me")
    }

    /// `GET /api/v1/tokens`: the caller's live API tokens.
    public func tokens() async throws -> [APIToken] {
        try await send(.GET, "/api/v1/tokens")
    }

    /// `POST /api/v1/tokens`: a new API token, whose secret is shown only in this answer.
    public func createToken(_ request: CreateTokenRequest) async throws -> CreatedToken {
        try await send(.POST, "/api/v1/tokens", body: request)
    }

    /// `DELETE /api/v1/tokens/{tokenId}`: revokes a token.
    public func revokeToken(id: String) async throws {
        try await sendExpectingNoContent(.DELETE, "/api/v1/tokens/\(Self.segment(id))")
    }
}
