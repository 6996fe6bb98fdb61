import Foundation

/// A public TCP port forwarded to one internal port of a service's replicas in one environment, so
/// clients outside (a database client, say) reach it at `domain:publicPort`.
public struct ServiceTCPProxy: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var serviceId: String
    public var environmentId: String
    /// The port the replicas listen on, e.g. 5432.
    public var targetPort: Int
    /// The port clients connect to, from the server's `--tcp-proxy-ports` range.
    public var publicPort: Int
    /// The host clients connect to (the server's base domain); set by the server, not stored.
    public var domain: String?
    public var createdAt: Date

    public init(
        id: String, serviceId: String, environmentId: String, targetPort: Int, publicPort: Int, domain: String? = nil, createdAt: Date
    ) {
        self.id = id
        self.serviceId = serviceId
        self.environmentId = environmentId
        self.targetPort = targetPort
        self.publicPort = publicPort
        self.domain = domain
        self.createdAt = createdAt
    }

    /// Checks a target port: 1–65535.
    public static func validate(targetPort: Int) throws(RailyardError) {
        guard (1...65535).contains(targetPort) else {
            throw .invalid("targetPort", "targetPort must be the port the service listens on, from 1 to 65535 (got \(targetPort))")
        }
    }
}

/// `POST …/services/{serviceId}/tcp-proxies`: the service's internal port to expose.
public struct CreateTCPProxyRequest: Codable, Sendable {
    public var targetPort: Int

    public init(targetPort: Int) {
        self.targetPort = targetPort
    }
}
