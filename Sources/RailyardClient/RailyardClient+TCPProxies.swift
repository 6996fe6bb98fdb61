import RailyardCore

extension RailyardClient {
    /// `GET …/services/{serviceId}/tcp-proxies`: the service's TCP proxies in one environment.
    public func tcpProxies(projectId: String, environmentId: String, serviceId: String) async throws -> [ServiceTCPProxy] {
        try await send(.GET, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/tcp-proxies")
    }

    /// `POST …/services/{serviceId}/tcp-proxies`: exposes an internal port of the service on a public port.
    public func addTCPProxy(projectId: String, environmentId: String, serviceId: String, targetPort: Int) async throws -> ServiceTCPProxy {
        try await send(
            .POST, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/tcp-proxies",
            body: CreateTCPProxyRequest(targetPort: targetPort)
        )
    }

    /// `DELETE …/services/{serviceId}/tcp-proxies/{proxyId}`: removes a TCP proxy; its public port closes.
    public func removeTCPProxy(projectId: String, environmentId: String, serviceId: String, proxyId: String) async throws {
        try await sendExpectingNoContent(
            .DELETE, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/tcp-proxies/\(Self.segment(proxyId))"
        )
    }
}
