import RailyardCore

extension RailyardClient {
    /// `GET /api/v1/workspaces`: the caller's workspaces with their role in each.
    public func workspaces() async throws -> [WorkspaceMembership] {
        try await send(.GET, "/api/v1/workspaces")
    }

    /// `GET /api/v1/workspaces/{workspaceId}`.
    public func workspace(id: String) async throws -> Workspace {
        try await send(.GET, "/api/v1/workspaces/\(Self.segment(id))")
    }

    /// `GET /api/v1/workspaces/{workspaceId}/members`.
    public func members(workspaceId: String) async throws -> [Member] {
        try await send(.GET, "/api/v1/workspaces/\(Self.segment(workspaceId))/members")
    }

    /// `POST /api/v1/workspaces/{workspaceId}/members`: adds an existing user by email.
    public func addMember(workspaceId: String, _ request: AddMemberRequest) async throws -> Member {
        try await send(.POST, "/api/v1/workspaces/\(Self.segment(workspaceId))/members", body: request)
    }
}

extension RailyardClient {
    /// `POST /api/v1/workspaces/{workspaceId}/invitations`: the answer holds the token.
    public func invite(workspaceId: String, _ request: CreateInvitationRequest) async throws -> WorkspaceInvitation {
        try await send(.POST, "/api/v1/workspaces/\(Self.segment(workspaceId))/invitations", body: request)
    }

    /// `POST /api/v1/invitations/accept`.
    public func acceptInvitation(token: String) async throws -> Member {
        try await send(.POST, "/api/v1/invitations/accept", body: AcceptInvitationRequest(token: token))
    }

    /// `GET /api/v1/workspaces/{workspaceId}/audit?limit=N`.
    public func auditLog(workspaceId: String, limit: Int) async throws -> [AuditEvent] {
        try await send(.GET, "/api/v1/workspaces/\(Self.segment(workspaceId))/audit", query: ["limit": "\(limit)"])
    }
}
