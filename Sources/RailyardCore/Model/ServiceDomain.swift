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
