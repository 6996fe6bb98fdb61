import Foundation
import Logging
import RailyardCore
import RailyardEdge
import X509

/// Custom domains' certificates: checked, kept as PEM files in the data dir
/// (`tls/domains/<host>/fullchain.pem` and `privkey.pem`, mode 0600) and handed to the edge's
/// certificate store (when HTTPS is on), so a change serves the next handshake without a restart.
struct DomainCertificates: Sendable {
    /// `tls/domains` in the data dir.
    let directory: URL
    /// The HTTPS listener's certificates; nil when HTTPS is off (files are still checked and kept).
    let store: TLSCertificateStore?

    private func folder(_ host: String) -> URL { directory.appendingPathComponent(host, isDirectory: true) }
    private func chainFile(_ host: String) -> URL { folder(host).appendingPathComponent("fullchain.pem") }
    private func keyFile(_ host: String) -> URL { folder(host).appendingPathComponent("privkey.pem") }

    /// Checks the pair for `host` (see `TLSIdentity.validated`) and, only if it passes, keeps it and
    /// serves it. Returns what the certificate says.
    func install(certificatePEM: String, keyPEM: String, host: String) throws -> DomainCertificate {
        let identity = try TLSIdentity.validated(certificatePEM: certificatePEM, keyPEM: keyPEM, host: host)
        try FileManager.default.createDirectory(at: folder(host), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try PrivateFile.write(Data(keyPEM.utf8), to: keyFile(host))
        try PrivateFile.write(Data(certificatePEM.utf8), to: chainFile(host))
        store?.set(identity, for: host)
        return Self.describe(identity)
    }

    /// Forgets `host`'s certificate (files and handshakes).
    func remove(_ host: String) {
        store?.remove(host)
        try? FileManager.default.removeItem(at: folder(host))
    }

    /// What `host`'s kept certificate says, if it has one.
    func certificate(for host: String) -> DomainCertificate? {
        if let identity = store?.given(for: host) { return Self.describe(identity) }
        guard let pem = try? String(contentsOf: chainFile(host), encoding: .utf8),
              let chain = try? TLSIdentity.parseChain(pem) else { return nil }
        return DomainCertificate(
            names: TLSIdentity.dnsNames(of: chain[0]), issuer: chain[0].issuer.description, notValidAfter: chain[0].notValidAfter
        )
    }

    /// `domains` with their certificates filled in.
    func describing(_ domains: [ServiceDomain]) -> [ServiceDomain] {
        domains.map { domain in
            var domain = domain
            domain.certificate = certificate(for: domain.host)
            return domain
        }
    }

    /// Hands every kept certificate of `hosts` to the store (at start). A pair that no longer loads
    /// (expired, edited) is logged and left out; the host gets the default certificate.
    func loadAll(hosts: [String], logger: Logger) {
        guard let store else { return }
        for host in hosts {
            guard let chain = try? String(contentsOf: chainFile(host), encoding: .utf8),
                  let key = try? String(contentsOf: keyFile(host), encoding: .utf8) else { continue }
            do {
                store.set(try TLSIdentity.validated(certificatePEM: chain, keyPEM: key, host: host), for: host)
            } catch {
                logger.warning("a custom domain's certificate is not served", metadata: ["http.host": "\(host)", "error": "\(error)"])
            }
        }
    }

    static func describe(_ identity: TLSIdentity) -> DomainCertificate {
        DomainCertificate(names: identity.names, issuer: identity.leaf.issuer.description, notValidAfter: identity.notValidAfter)
    }
}
