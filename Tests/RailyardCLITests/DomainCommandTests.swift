import Foundation
import RailyardCore
import Testing

@testable import RailyardCLI

@Suite("domain command")
struct DomainCommandTests {
    @Test("the DNS record to make depends on how the server is named")
    func records() {
        #expect(DomainAddCommand.record(for: "203.0.113.7") == "an A record to 203.0.113.7")
        #expect(DomainAddCommand.record(for: "[2001:db8::1]") == "an AAAA record to 2001:db8::1")
        #expect(DomainAddCommand.record(for: "railyard.example.net") == "a CNAME record to railyard.example.net (or an A record to its address)")
        #expect(DomainAddCommand.port(of: "http://web.localhost:8080") == "port 8080")
        #expect(DomainAddCommand.port(of: "https://web.example.net") == "port 443")
        #expect(DomainAddCommand.port(of: nil) == "the server's edge port")
    }

    @Test("remove finds a domain by id or by host in any case")
    func find() {
        let domains = [
            ServiceDomain(id: "d1", serviceId: "s", environmentId: "e", host: "web.localhost", kind: .generated, createdAt: Date()),
            ServiceDomain(id: "d2", serviceId: "s", environmentId: "e", host: "shop.example.com", kind: .custom, createdAt: Date()),
        ]
        #expect(DomainRemoveCommand.find("Shop.Example.com.", in: domains)?.id == "d2")
        #expect(DomainRemoveCommand.find("d1", in: domains)?.host == "web.localhost")
        #expect(DomainRemoveCommand.find("other.example.com", in: domains) == nil)
    }

    @Test("--cert and --key come together; cert's line says what the certificate covers and until when", arguments: [
        (["--cert", "a.pem"], "--cert needs --key"),
        (["--key", "k.pem"], "--key needs --cert"),
        (["--cert", "/nonexistent/a.pem", "--key", "k.pem"], "--cert /nonexistent/a.pem cannot be read"),
    ])
    func certificateFiles(arguments: [String], message: String) throws {
        let files = try DomainCertificateFiles.parse(arguments)
        #expect(throws: CLIError.self) { try files.read(required: false) }
        do {
            _ = try files.read(required: true)
        } catch let error as CLIError {
            #expect(error.message.contains(message), "\(error.message)")
        }
        #expect(try DomainCertificateFiles.parse([]).read(required: false) == nil)
        let line = DomainCertCommand.describe(
            DomainCertificate(names: ["shop.example.com"], issuer: "CN=R11", notValidAfter: Date(timeIntervalSince1970: 1_800_000_000)),
            host: "shop.example.com"
        )
        #expect(line == "HTTPS for shop.example.com: certificate for shop.example.com from CN=R11, valid until 2027-01-15")
    }
}
