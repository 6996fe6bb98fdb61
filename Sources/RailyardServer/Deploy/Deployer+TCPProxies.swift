import RailyardCore

extension Deployer {
    /// The TCP proxy a release names in `RAILYARD_TCP_PROXY_*`: the service's first in the
    /// environment (lowest public port), with the host clients use (the base domain).
    func tcpProxy(serviceId: String, environmentId: String) async throws -> ServiceTCPProxy? {
        guard var proxy = try await store.tcpProxies(serviceId: serviceId, environmentId: environmentId).first else { return nil }
        proxy.domain = baseDomain
        return proxy
    }
}
