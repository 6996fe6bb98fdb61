import RailyardCore

extension RailyardClient {
    /// `GET /api/v1/projects`: projects of all the caller's workspaces, or of one.
    public func projects(workspaceId: String? = nil) async throws -> [Project] {
        try await send(.GET, "/api/v1/projects", query: workspaceId.map { ["workspaceId": $0] } ?? [:])
    }

    /// `POST /api/v1/projects`: a project with its `production` environment.
    public func createProject(_ request: CreateProjectRequest) async throws -> ProjectDetail {
        try await send(.POST, "/api/v1/projects", body: request)
    }

    /// `GET /api/v1/projects/{projectId}`: a project with its environments and services.
    public func project(id: String) async throws -> ProjectDetail {
        try await send(.GET, Self.projectPath(id))
    }

    /// `PATCH /api/v1/projects/{projectId}`.
    public func updateProject(id: String, _ request: UpdateProjectRequest) async throws -> Project {
        try await send(.PATCH, Self.projectPath(id), body: request)
    }

    /// `DELETE /api/v1/projects/{projectId}`.
    public func deleteProject(id: String) async throws {
        try await sendExpectingNoContent(.DELETE, Self.projectPath(id))
    }

    /// `GET /api/v1/projects/{projectId}/environments`.
    public func environments(projectId: String) async throws -> [Environment] {
        try await send(.GET, Self.projectPath(projectId) + "/environments")
    }

    /// `POST /api/v1/projects/{projectId}/environments`: a new environment, optionally a copy of another.
    public func createEnvironment(projectId: String, _ request: CreateEnvironmentRequest) async throws -> Environment {
        try await send(.POST, Self.projectPath(projectId) + "/environments", body: request)
    }

    /// `DELETE /api/v1/projects/{projectId}/environments/{environmentId}`.
    public func deleteEnvironment(projectId: String, environmentId: String) async throws {
        try await sendExpectingNoContent(.DELETE, Self.environmentPath(projectId, environmentId))
    }

    static func projectPath(_ projectId: String) -> String {
        "/api/v1/projects/\(segment(projectId))"
    }

    static func environmentPath(_ projectId: String, _ environmentId: String) -> String {
        projectPath(projectId) + "/environments/\(segment(environmentId))"
    }
}

extension RailyardClient {
    /// `GET /api/v1/projects/{projectId}/webhooks`.
    public func projectWebhooks(projectId: String) async throws -> [ProjectWebhook] {
        try await send(.GET, Self.projectPath(projectId) + "/webhooks")
    }

    /// `POST /api/v1/projects/{projectId}/webhooks`: the answer holds the signing secret.
    public func addProjectWebhook(projectId: String, _ request: CreateProjectWebhookRequest) async throws -> ProjectWebhook {
        try await send(.POST, Self.projectPath(projectId) + "/webhooks", body: request)
    }

    /// `DELETE /api/v1/projects/{projectId}/webhooks/{webhookId}`.
    public func removeProjectWebhook(projectId: String, webhookId: String) async throws {
        try await sendExpectingNoContent(.DELETE, Self.projectPath(projectId) + "/webhooks/\(Self.segment(webhookId))")
    }

    /// `GET /api/v1/projects/{projectId}/webhooks/{webhookId}/deliveries`.
    public func webhookDeliveries(projectId: String, webhookId: String) async throws -> [WebhookDelivery] {
        try await send(.GET, Self.projectPath(projectId) + "/webhooks/\(Self.segment(webhookId))/deliveries")
    }
}
