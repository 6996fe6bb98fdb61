import ArgumentParser
import Foundation
import RailyardClient
import RailyardCore

/// `railyard domain`: the host names a service answers at in the linked environment.
struct DomainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain",
        abstract: "Show, add or remove the domains the service answers at, and set their HTTPS certificates.",
        subcommands: [DomainListCommand.self, DomainAddCommand.self, DomainRemoveCommand.self, DomainCertCommand.self],
        defaultSubcommand: DomainListCommand.self
    )

    /// The URL of `host` with the scheme and port of a deployment URL (the edge serves every host
    /// on the same port), else `http://host`.
    static func url(host: String, like deploymentURL: String?) -> String {
        guard let deploymentURL, let components = URLComponents(string: deploymentURL), let scheme = components.scheme else {
            return "http://\(host)"
        }
        var url = "\(scheme)://\(host)"
        if let port = components.port { url += ":\(port)" }
        return url
    }
}

/// `railyard domain [list] [--service S] [--json]`: the URLs a service answers at.
struct DomainListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Show the URLs the service answers at.")

    @Option(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?
    @OptionGroup var output: OutputOptions

    /// The `--json` shape: the domain rows and the URLs made from them.
    struct Report: Codable {
        var domains: [ServiceDomain]
        var urls: [String]
    }

    func run() async throws {
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        let domains = try await client.domains(
            projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id
        )
        let latestURL = try await target.latestDeployment(client)?.url
        let urls = domains.map { DomainCommand.url(host: $0.host, like: latestURL) }
        if output.json {
            try Output.json(Report(domains: domains, urls: urls))
            return
        }
        guard !urls.isEmpty else {
            throw CLIError("\(target.label) has no domain yet; it gets one when it is first deployed with `railyard up`")
        }
        let rows = zip(domains, urls).map { domain, url in
            [url, domain.kind.rawValue, domain.certificate.map { "until \(DomainCertCommand.day($0.notValidAfter))" } ?? "-", domain.id]
        }
        Output.line(TextTable(header: ["URL", "KIND", "CERTIFICATE", "ID"], rows: rows).render())
    }
}
