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
