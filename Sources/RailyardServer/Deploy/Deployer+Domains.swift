import Foundation
import RailyardCore
import RailyardEdge
import RailyardStore

extension Deployer {
    /// Adds a custom domain to a service in an environment and routes it like the service's
    /// generated host from now on (from its first deployment, when it has none yet).
    func addCustomDomain(_ requested: String, environment: RailyardCore.Environment, service: Service) async throws -> ServiceDomain {
        let host = try Validation.customDomain(requested, baseDomain: baseDomain)
        let domain = try await store.createCustomDomain(serviceId: service.id, environmentId: environment.id, host: host)
        if let generated = try await store.domains(serviceId: service.id, environmentId: environment.id).generated {
            routes.alias(domain.host, to: generated.host)
        }
        logger.info("custom domain added", metadata: ["service.id": "\(service.id)", "http.host": "\(domain.host)"])
        return domain
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
        for domain in domains { routes.removeAlias(domain.host) }
    }
}
