import ArgumentParser
import Foundation
import RailyardClient
import RailyardCore

/// `--cert FILE --key FILE`: a PEM certificate chain (like fullchain.pem) and its private key
/// (like privkey.pem), read from disk and sent to the server, which checks them.
struct DomainCertificateFiles: ParsableArguments {
    @Option(name: .customLong("cert"), help: "PEM certificate chain for the domain, leaf first (like fullchain.pem).")
    var certificate: String?
    @Option(name: .customLong("key"), help: "PEM private key of the certificate (like privkey.pem).")
    var key: String?

    /// Both files' text; nil when neither was given and they are optional.
    func read(required: Bool) throws -> (certificate: String, key: String)? {
        switch (certificate, key) {
        case (let certificate?, let key?):
            return (try Self.text(certificate, flag: "--cert"), try Self.text(key, flag: "--key"))
        case (nil, nil) where !required:
            return nil
        case (nil, nil):
            throw CLIError("give the certificate with --cert FILE and its key with --key FILE (or --remove to take the certificate away)")
        case (nil, _?):
            throw CLIError("--key needs --cert: give the certificate file (like fullchain.pem) too")
        case (_?, nil):
            throw CLIError("--cert needs --key: give the certificate's private key file (like privkey.pem) too")
        }
    }

    private static func text(_ path: String, flag: String) throws -> String {
        do {
            return try String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8)
        } catch {
            throw CLIError("\(flag) \(path) cannot be read: \(error.localizedDescription)")
        }
    }
}

/// `railyard domain cert DOMAIN (--cert FILE --key FILE | --remove) [--service S] [--json]`: the
/// certificate the edge's HTTPS listener presents for a custom domain.
struct DomainCertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Set or remove the HTTPS certificate of a custom domain (PEM files, checked by the server).",
        discussion: "The next HTTPS handshake for the domain uses the new certificate; nothing restarts."
    )

    @Argument(help: "The domain (like shop.example.com) or its id (see `railyard domain`).")
    var domain: String
    @OptionGroup var pem: DomainCertificateFiles
    @Flag(help: "Remove the domain's certificate; HTTPS then presents the server's default one.")
    var remove = false
    @Option(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let files = remove ? nil : try pem.read(required: true)
        if remove, pem.certificate != nil || pem.key != nil { throw CLIError("--remove takes no --cert or --key") }
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        let domains = try await client.domains(projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id)
        guard let found = DomainRemoveCommand.find(domain, in: domains) else {
            throw CLIError("\(target.label) has no domain \(domain); add it with `railyard domain add \(domain) --cert FILE --key FILE`")
        }
        guard let files else {
            try await client.removeDomainCertificate(
                projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id, domainId: found.id
            )
            Output.line("Removed the certificate of \(found.host)")
            return
        }
        let updated = try await client.setDomainCertificate(
            projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id, domainId: found.id,
            certificate: files.certificate, privateKey: files.key
        )
        if output.json {
            try Output.json(updated)
        } else if let certificate = updated.certificate {
            Output.line(Self.describe(certificate, host: updated.host))
        }
    }

    /// "HTTPS for HOST: certificate for NAMES from ISSUER, valid until DAY".
    static func describe(_ certificate: DomainCertificate, host: String) -> String {
        "HTTPS for \(host): certificate for \(certificate.names.joined(separator: ", ")) from \(certificate.issuer), valid until \(day(certificate.notValidAfter))"
    }

    /// A date as YYYY-MM-DD (UTC).
    static func day(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }
}
