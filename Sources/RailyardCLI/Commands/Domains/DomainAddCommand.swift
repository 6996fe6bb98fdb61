import ArgumentParser
import Foundation
import RailyardClient
import RailyardCore

/// `railyard domain add DOMAIN [--cert FILE --key FILE] [--service S] [--json]`: a custom domain for
/// the service, with the certificate HTTPS presents for it when given.
struct DomainAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a custom domain (like shop.example.com) to the service in the linked environment."
    )

    @Argument(help: "The host name, like shop.example.com.")
    var domain: String
    @Option(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?
    @OptionGroup var pem: DomainCertificateFiles
    @OptionGroup var output: OutputOptions

    /// The `--json` shape: the domain, its URL, and the host its DNS record should point at.
    struct Report: Codable {
        var domain: ServiceDomain
        var url: String
        var dnsTarget: String
    }

    func run() async throws {
        let files = try pem.read(required: false)
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        let added = try await client.addDomain(
            projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id, domain: domain,
            certificate: files?.certificate, privateKey: files?.key
        )
        let latestURL = try await target.latestDeployment(client)?.url
        let url = DomainCommand.url(host: added.host, like: latestURL)
        let server = URLComponents(string: client.baseURL)?.host ?? client.baseURL
        if output.json {
            try Output.json(Report(domain: added, url: url, dnsTarget: server))
            return
        }
        Output.line("Added \(added.host) to \(target.label)")
        if let certificate = added.certificate { Output.line(DomainCertCommand.describe(certificate, host: added.host)) }
        Output.line("Point its DNS at this server: \(Self.record(for: server)); the edge answers on \(Self.port(of: latestURL)).")
        if latestURL == nil { Output.line("It answers once the service is deployed (`railyard up`).") }
        Output.line(url)
    }

    /// The DNS record to make: an A (or AAAA) record for an address, a CNAME for a name.
    static func record(for server: String) -> String {
        let bare = server.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if bare.contains(":") { return "an AAAA record to \(bare)" }
        if bare.split(separator: ".").allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) { return "an A record to \(bare)" }
        return "a CNAME record to \(bare) (or an A record to its address)"
    }

    /// "port N" from a deployment URL (80 or 443 when it names none), or the edge's port in words.
    static func port(of deploymentURL: String?) -> String {
        guard let deploymentURL, let components = URLComponents(string: deploymentURL) else { return "the server's edge port" }
        return "port \(components.port ?? (components.scheme == "https" ? 443 : 80))"
    }
}
