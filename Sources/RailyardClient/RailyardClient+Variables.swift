import RailyardCore

extension RailyardClient {
    /// `GET …/environments/{environmentId}/variables`: an environment's shared variables, masked
    /// unless `reveal`.
    public func sharedVariables(projectId: String, environmentId: String, reveal: Bool = false) async throws -> VariableList {
        try await send(.GET, Self.environmentPath(projectId, environmentId) + "/variables", query: Self.revealQuery(reveal))
    }

    /// `PATCH …/environments/{environmentId}/variables`: sets and deletes shared variables in one change.
    public func updateSharedVariables(
        projectId: String, environmentId: String, _ request: UpdateVariablesRequest
    ) async throws -> VariableList {
        try await send(.PATCH, Self.environmentPath(projectId, environmentId) + "/variables", body: request)
    }

    /// `GET …/environments/{environmentId}/services/{serviceId}/variables`: a service's variables in
    /// one environment, masked unless `reveal`.
    public func serviceVariables(
        projectId: String, environmentId: String, serviceId: String, reveal: Bool = false
    ) async throws -> VariableList {
        try await send(
            .GET, Self.serviceVariablesPath(projectId, environmentId, serviceId), query: Self.revealQuery(reveal)
        )
    }

    /// `GET …/services/{serviceId}/variables?reveal=true&resolved=true`: every variable the service's
    /// next release sees (shared ones overridden by its own), references replaced.
    public func resolvedVariables(projectId: String, environmentId: String, serviceId: String) async throws -> VariableList {
        try await send(
            .GET, Self.serviceVariablesPath(projectId, environmentId, serviceId), query: ["reveal": "true", "resolved": "true"]
        )
    }

    /// `PATCH …/environments/{environmentId}/services/{serviceId}/variables`: sets and deletes a
    /// service's variables in one change.
    public func updateServiceVariables(
        projectId: String, environmentId: String, serviceId: String, _ request: UpdateVariablesRequest
    ) async throws -> VariableList {
        try await send(.PATCH, Self.serviceVariablesPath(projectId, environmentId, serviceId), body: request)
    }

    static func serviceVariablesPath(_ projectId: String, _ environmentId: String, _ serviceId: String) -> String {
        environmentPath(projectId, environmentId) + "/services/\(segment(serviceId))/variables"
    }

    static func revealQuery(_ reveal: Bool) -> [String: String] {
        reveal ? ["reveal": "true"] : [:]
    }
}
