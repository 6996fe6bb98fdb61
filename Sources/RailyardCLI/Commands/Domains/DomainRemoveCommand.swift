import ArgumentParser
import Foundation
import RailyardClient
import RailyardCore

/// `railyard domain remove DOMAIN-OR-ID [--service S]`: takes a custom domain off the service.
struct DomainRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a custom domain from the service; its host stops answering at once."
    )

    @Argument(help: "The domain (like shop.example.com) or its id (see `railyard domain`).")
    var domain: String
    @Option(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?

    func run() async throws {
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        let domains = try await client.domains(
            projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id
        )
        guard let found = Self.find(domain, in: domains) else {
            throw CLIError("\(target.label) has no domain \(domain); see `railyard domain`")
        }
        try await client.removeDomain(
            projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id, domainId: found.id
        )
        Output.line("Removed \(found.host) from \(target.label)")
    }

    /// The domain named by id, or by host in any case with or without a trailing dot.
    static func find(_ name: String, in domains: [ServiceDomain]) -> ServiceDomain? {
        var host = name.lowercased()
        if host.hasSuffix(".") { host.removeLast() }
        return domains.first { $0.id == name || $0.host == host }
    }
}
