import Foundation

/// A host name that routes to one service in one environment: generated under the base domain, or
/// a custom domain a user added. Each host belongs to exactly one service.
public struct ServiceDomain: Codable, Sendable, Equatable, Identifiable {
    public enum Kind: String, Codable, Sendable {
        case generated
        case custom
    }

    public var id: String
    public var serviceId: String
    public var environmentId: String
    public var host: String
    public var kind: Kind
    public var createdAt: Date

    public init(id: String, serviceId: String, environmentId: String, host: String, kind: Kind, createdAt: Date) {
        self.id = id
        self.serviceId = serviceId
        self.environmentId = environmentId
        self.host = host
        self.kind = kind
        self.createdAt = createdAt
    }
}

/// `POST …/services/{id}/domains`: the custom domain to add, like `shop.example.com`.
public struct CreateDomainRequest: Codable, Sendable {
    public var domain: String

    public init(domain: String) {
        self.domain = domain
    }
}

extension Array where Element == ServiceDomain {
    /// The generated domain among a service's domains: the host its deployments route, which its
    /// custom domains follow.
    public var generated: ServiceDomain? { first { $0.kind == .generated } }
}
