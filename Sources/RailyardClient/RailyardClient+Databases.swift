import RailyardCore

extension RailyardClient {
    /// `POST /api/v1/projects/{projectId}/databases`: adds a database service and deploys it.
    public func addDatabase(projectId: String, _ request: CreateDatabaseRequest) async throws -> CreatedDatabase {
        try await send(.POST, Self.projectPath(projectId) + "/databases", body: request)
    }
}
