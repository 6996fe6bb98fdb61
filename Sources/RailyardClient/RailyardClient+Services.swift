import RailyardCore

extension RailyardClient {
    /// `GET /api/v1/projects/{projectId}/services`.
    public func services(projectId: String) async throws -> [Service] {
        try await send(.GET, Self.projectPath(projectId) + "/services")
    }

    /// `POST /api/v1/projects/{projectId}/services`.
    public func createService(projectId: String, _ request: CreateServiceRequest) async throws -> Service {
        try await send(.POST, Self.projectPath(projectId) + "/services", body: request)
    }

    /// `GET /api/v1/projects/{projectId}/services/{serviceId}`.
    public func service(projectId: String, serviceId: String) async throws -> Service {
        try await send(.GET, Self.servicePath(projectId, serviceId))
    }

    /// `PATCH /api/v1/projects/{projectId}/services/{serviceId}`.
    public func updateService(projectId: String, serviceId: String, _ request: UpdateServiceRequest) async throws -> Service {
        try await send(.PATCH, Self.servicePath(projectId, serviceId), body: request)
    }

    /// `DELETE /api/v1/projects/{projectId}/services/{serviceId}`.
    public func deleteService(projectId: String, serviceId: String) async throws {
        try await sendExpectingNoContent(.DELETE, Self.servicePath(projectId, serviceId))
    }

    /// `GET /api/v1/projects/{projectId}/services/{serviceId}/webhook`: the URL and secret of the
    /// service's GitHub push webhook.
    public func webhookSettings(projectId: String, serviceId: String) async throws -> WebhookSettings {
        try await send(.GET, Self.servicePath(projectId, serviceId) + "/webhook")
    }

    static func servicePath(_ projectId: String, _ serviceId: String) -> String {
        projectPath(projectId) + "/services/\(segment(serviceId))"
    }
}
