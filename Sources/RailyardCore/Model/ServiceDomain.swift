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
    /// The certificate the edge's HTTPS listener presents for this host, when one was given.
    public var certificate: DomainCertificate?

    public init(
        id: String, serviceId: String, environmentId: String, host: String, kind: Kind, createdAt: Date,
        certificate: DomainCertificate? = nil
    ) {
        self.id = id
        self.serviceId = serviceId
        self.environmentId = environmentId
        self.host = host
        self.kind = kind
        self.createdAt = createdAt
        self.certificate = certificate
    }
}

/// What a custom domain's certificate says: the names it covers, who issued it, when it ends.
public struct DomainCertificate: Codable, Sendable, Equatable {
    public var names: [String]
    public var issuer: String
    public var notValidAfter: Date

    public init(names: [String], issuer: String, notValidAfter: Date) {
        self.names = names
        self.issuer = issuer
        self.notValidAfter = notValidAfter
    }
}

/// `PUT …/domains/{domainId}/certificate`: a PEM certificate chain (leaf first, like fullchain.pem)
/// and its PEM private key (like privkey.pem).
public struct SetDomainCertificateRequest: Codable, Sendable {
    public var certificate: String
    public var privateKey: String

    public init(certificate: String, privateKey: String) {
        self.certificate = certificate
        self.privateKey = privateKey
    }
}

/// `POST …/services/{id}/domains`: the custom domain to add, like `shop.example.com`, optionally
/// with its PEM certificate chain and private key (both or neither).
public struct CreateDomainRequest: Codable, Sendable {
    public var domain: String
    public var certificate: String?
    public var privateKey: String?

    public init(domain: String, certificate: String? = nil, privateKey: String? = nil) {
        self.domain = domain
        self.certificate = certificate
        self.privateKey = privateKey
    }
}

extension Array where Element == ServiceDomain {
    /// The generated domain among a service's domains: the host its deployments route, which its
    /// custom domains follow.
    public var generated: ServiceDomain? { first { $0.kind == .generated } }
}
