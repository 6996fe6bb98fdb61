import RailyardCore

extension RailyardClient {
    /// `GET …/services/{serviceId}/settings`: a service's build and deploy settings in one environment.
    public func serviceSettings(projectId: String, environmentId: String, serviceId: String) async throws -> ServiceConfig {
        try await send(.GET, Self.settingsPath(projectId, environmentId, serviceId))
    }

    /// `PUT …/services/{serviceId}/settings`: replaces every setting (keys left out are cleared).
    public func replaceServiceSettings(
        projectId: String, environmentId: String, serviceId: String, _ settings: ServiceConfig
    ) async throws -> ServiceConfig {
        try await send(.PUT, Self.settingsPath(projectId, environmentId, serviceId), body: settings)
    }

    static func settingsPath(_ projectId: String, _ environmentId: String, _ serviceId: String) -> String {
        environmentPath(projectId, environmentId) + "/services/\(segment(serviceId))/settings"
    }
}

extension RailyardClient {
    /// `GET …/services/{serviceId}/isolation`: the sandbox, user, network and limits its replicas run under.
    public func serviceIsolation(projectId: String, environmentId: String, serviceId: String) async throws -> ServiceIsolation {
        try await send(.GET, Self.environmentPath(projectId, environmentId) + "/services/\(Self.segment(serviceId))/isolation")
    }
}
