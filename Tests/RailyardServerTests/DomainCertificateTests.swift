import Foundation
import RailyardCore
import RailyardTestSupport
@testable import RailyardServer
import Testing

@Suite("Custom domains: TLS certificates through the API")
struct DomainCertificateTests {
    @Test("a domain added with its PEM pair keeps it (key 0600); a bad pair stores nothing and says what to fix")
    func addWithCertificate() async throws {
        let ca = try TestCA()
        try await DomainTests.withServices { api, token, fixture, web, _ in
            let other = try ca.issue(["www.example.org"])
            let refused = try await api.send(
                .post, web, body: CreateDomainRequest(domain: "shop.example.com", certificate: other.certificatePEM, privateKey: other.keyPEM), token: token
            )
            #expect(refused.status == .badRequest && refused.error?.field == "certificate", "\(refused.text)")
            #expect(refused.error?.message.contains("does not cover shop.example.com") == true, "\(refused.text)")
            let half = try await api.send(.post, web, body: CreateDomainRequest(domain: "shop.example.com", certificate: other.certificatePEM), token: token)
            #expect(half.status == .badRequest && half.error?.field == "privateKey", "\(half.text)")
            let none: [ServiceDomain] = try await api.send(.get, web, token: token).decode()
            #expect(none.isEmpty)

            let pair = try ca.issue(["shop.example.com"])
            let added = try await api.send(
                .post, web, body: CreateDomainRequest(domain: "shop.example.com", certificate: pair.certificatePEM, privateKey: pair.keyPEM), token: token
            )
            #expect(added.status == .created, "\(added.text)")
            let domain: ServiceDomain = try added.decode()
            #expect(domain.certificate?.names == ["shop.example.com"])
            let keyFile = fixture.directory.appendingPathComponent("tls/domains/shop.example.com/privkey.pem")
            let mode = try FileManager.default.attributesOfItem(atPath: keyFile.path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let listed: [ServiceDomain] = try await api.send(.get, web, token: token).decode()
            #expect(listed.first?.certificate?.names == ["shop.example.com"])

            // Removing the domain takes its certificate files with it.
            #expect(try await api.send(.delete, "\(web)/\(domain.id)", token: token).status == .noContent)
            #expect(!FileManager.default.fileExists(atPath: keyFile.path))
        }
    }

    @Test("set, replace and remove a custom domain's certificate; a bad pair keeps the old one; generated domains refuse")
    func setAndRemove() async throws {
        let ca = try TestCA()
        try await DomainTests.withServices { api, token, fixture, web, _ in
            let domain: ServiceDomain = try await api.send(.post, web, body: CreateDomainRequest(domain: "shop.example.com"), token: token).decode()
            #expect(domain.certificate == nil)
            let path = "\(web)/\(domain.id)/certificate"
            let first = try ca.issue(["shop.example.com"])
            let set = try await api.send(.put, path, body: SetDomainCertificateRequest(certificate: first.certificatePEM, privateKey: first.keyPEM), token: token)
            #expect(set.status == .ok, "\(set.text)")

            let second = try ca.issue(["*.example.com"])
            let mismatched = try await api.send(
                .put, path, body: SetDomainCertificateRequest(certificate: second.certificatePEM, privateKey: first.keyPEM), token: token
            )
            #expect(mismatched.status == .badRequest && mismatched.error?.field == "privateKey", "\(mismatched.text)")
            let kept: [ServiceDomain] = try await api.send(.get, web, token: token).decode()
            #expect(kept.first?.certificate?.names == ["shop.example.com"])

            let replaced: ServiceDomain = try await api.send(
                .put, path, body: SetDomainCertificateRequest(certificate: second.certificatePEM, privateKey: second.keyPEM), token: token
            ).decode()
            #expect(replaced.certificate?.names == ["*.example.com"])

            #expect(try await api.send(.delete, path, token: token).status == .noContent)
            #expect(try await api.send(.delete, path, token: token).status == .notFound)
            let after: [ServiceDomain] = try await api.send(.get, web, token: token).decode()
            #expect(after.first?.certificate == nil)

            let generated = try await fixture.store.ensureGeneratedDomain(
                serviceId: domain.serviceId, environmentId: domain.environmentId, candidates: ["web-production-shop.localhost"]
            )
            let refused = try await api.send(
                .put, "\(web)/\(generated.id)/certificate",
                body: SetDomainCertificateRequest(certificate: first.certificatePEM, privateKey: first.keyPEM), token: token
            )
            #expect(refused.status == .conflict, "\(refused.text)")
        }
    }
}
