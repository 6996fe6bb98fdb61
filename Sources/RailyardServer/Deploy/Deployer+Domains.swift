import Foundation
import RailyardCore
import RailyardEdge
import RailyardStore

extension Deployer {
    /// Adds a custom domain to a service in an environment and routes it like the service's
    /// generated host from now on (from its first deployment, when it has none yet). A certificate
    /// given with it is checked before anything is stored.
    func addCustomDomain(_ request: CreateDomainRequest, environment: RailyardCore.Environment, service: Service) async throws -> ServiceDomain {
        let host = try Validation.customDomain(request.domain, baseDomain: baseDomain)
        switch (request.certificate, request.privateKey) {
        case (nil, nil): break
        case (let certificate?, let key?):
            _ = try TLSIdentity.validated(certificatePEM: certificate, keyPEM: key, host: host)
        case (nil, _?):
            throw RailyardError.invalid("certificate", "a private key came without its certificate: give both, or neither")
        case (_?, nil):
            throw RailyardError.invalid("privateKey", "a certificate came without its private key: give both, or neither")
        }
        var domain = try await store.createCustomDomain(serviceId: service.id, environmentId: environment.id, host: host)
        if let certificate = request.certificate, let key = request.privateKey {
            domain.certificate = try certificates.install(certificatePEM: certificate, keyPEM: key, host: host)
        }
        if let generated = try await store.domains(serviceId: service.id, environmentId: environment.id).generated {
            routes.alias(domain.host, to: generated.host)
        }
        logger.info("custom domain added", metadata: ["service.id": "\(service.id)", "http.host": "\(domain.host)"])
        return domain
    }

    /// Gives a custom domain the certificate (PEM chain) and key the edge presents for it over
    /// HTTPS, replacing any earlier one; a bad pair changes nothing.
    func setCertificate(_ request: SetDomainCertificateRequest, for domain: ServiceDomain) throws -> ServiceDomain {
        try requireCustom(domain)
        var domain = domain
        domain.certificate = try certificates.install(certificatePEM: request.certificate, keyPEM: request.privateKey, host: domain.host)
        logger.info("custom domain certificate set", metadata: ["http.host": "\(domain.host)"])
        return domain
    }

    /// Takes a custom domain's certificate away: HTTPS handshakes for it get the default one.
    func removeCertificate(of domain: ServiceDomain) throws {
        try requireCustom(domain)
        guard certificates.certificate(for: domain.host) != nil else {
            throw RailyardError.notFound("a certificate for \(domain.host)")
        }
        certificates.remove(domain.host)
        logger.info("custom domain certificate removed", metadata: ["http.host": "\(domain.host)"])
    }

    private func requireCustom(_ domain: ServiceDomain) throws(RailyardError) {
        guard domain.kind == .custom else {
            throw RailyardError(
                .conflict, "\(domain.host) is the service's generated domain: its certificate comes from the server (the local CA); only custom domains take one", field: "domainId"
            )
        }
    }

    /// Removes one of a service's custom domains; its host answers "unknown host" at once. The
    /// generated domain comes with the service and is refused.
    func removeCustomDomain(_ domain: ServiceDomain) async throws {
        guard domain.kind == .custom else {
            throw RailyardError(
                .conflict, "\(domain.host) is the service's generated domain and cannot be removed; only custom domains can", field: "domainId"
            )
        }
        guard try await store.deleteDomain(id: domain.id) else { throw RailyardError.notFound("domain \(domain.id)") }
        routes.removeAlias(domain.host)
        certificates.remove(domain.host)
        logger.info("custom domain removed", metadata: ["service.id": "\(domain.serviceId)", "http.host": "\(domain.host)"])
    }

    /// Points every custom domain of a service in an environment at its generated host (`generated`):
    /// at each deployment, so domains added before the first one start answering with it.
    func aliasCustomDomains(serviceId: String, environmentId: String, to generated: ServiceDomain) async throws {
        for domain in try await store.domains(serviceId: serviceId, environmentId: environmentId) where domain.kind == .custom {
            routes.alias(domain.host, to: generated.host)
        }
    }

    /// Points every stored custom domain at its service's generated host (at start, before routes
    /// are restored; the aliases follow whatever those routes become).
    func aliasAllCustomDomains() async throws {
        let domains = try await store.allDomains()
        var generated: [String: String] = [:]
        for domain in domains where domain.kind == .generated {
            generated["\(domain.serviceId)/\(domain.environmentId)"] = domain.host
        }
        certificates.loadAll(hosts: domains.filter { $0.kind == .custom }.map(\.host), logger: logger)
        for domain in domains where domain.kind == .custom {
            guard let target = generated["\(domain.serviceId)/\(domain.environmentId)"] else { continue }
            routes.alias(domain.host, to: target)
        }
    }
}

extension Deployer {
    /// The custom domains `matching` selects, read before what they belong to is deleted (the rows
    /// go with it), so `unalias` can take them off the edge afterwards.
    func customDomains(matching: @Sendable (ServiceDomain) -> Bool) async throws -> [ServiceDomain] {
        try await store.allDomains().filter { $0.kind == .custom && matching($0) }
    }

    /// Takes custom domains off the edge (their service, environment or project was deleted).
    func unalias(_ domains: [ServiceDomain]) {
        for domain in domains {
            routes.removeAlias(domain.host)
            certificates.remove(domain.host)
        }
    }
}
