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
}
