import Foundation
import NIOSSL
import RailyardCore
import SwiftASN1
import X509

/// A certificate chain and its private key, ready for TLS handshakes: what the edge presents for
/// one or more host names. Built from PEM text (a custom domain's files) or from certificates
/// Railyard made itself (the local CA).
public struct TLSIdentity: Sendable {
    /// The leaf certificate first, then the intermediates that lead to a trusted root.
    public let chain: [Certificate]
    /// The DNS names the leaf covers (its subject alternative names; `*.example.com` covers one label).
    public let names: [String]
    /// The handshake form of the chain and key, parsed once.
    let override: NIOSSLContextConfigurationOverride

    /// An identity from a parsed chain (leaf first) and the leaf's key.
    public init(chain: [Certificate], key: Certificate.PrivateKey) throws {
        guard let leaf = chain.first else { throw TLSIdentityError.noCertificate }
        self.chain = chain
        self.names = Self.dnsNames(of: leaf)
        var override = NIOSSLContextConfigurationOverride()
        override.certificateChain = try chain.map { certificate in
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return .certificate(try NIOSSLCertificate(bytes: serializer.serializedBytes, format: .der))
        }
        override.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(try key.serializeAsPEM().pemString.utf8), format: .pem))
        self.override = override
    }

    /// The leaf certificate.
    public var leaf: Certificate { chain[0] }

    /// When the leaf stops being valid.
    public var notValidAfter: Date { leaf.notValidAfter }

    /// Whether the leaf names `host` (exactly, or by a wildcard over its first label).
    public func covers(_ host: String) -> Bool {
        let host = host.lowercased()
        return names.contains { name in
            if name == host { return true }
            guard name.hasPrefix("*."), let dot = host.firstIndex(of: ".") else { return false }
            return host[host.index(after: dot)...] == name.dropFirst(2) && dot != host.startIndex
        }
    }

    /// The `dNSName` entries of a certificate's subject alternative names, lowercased.
    public static func dnsNames(of certificate: Certificate) -> [String] {
        guard let names = try? certificate.extensions.subjectAlternativeNames else { return [] }
        return names.compactMap { name in
            if case .dnsName(let dns) = name { return dns.lowercased() }
            return nil
        }
    }
}

/// Why certificates could not become a `TLSIdentity`.
enum TLSIdentityError: Error {
    case noCertificate
}

extension TLSIdentity {
    /// Reads a PEM certificate chain (leaf first) and its PEM private key and checks they can serve
    /// `host` at `now`: both parse, the key belongs to the leaf, the leaf names the host, and it is
    /// valid now. Each failure is an `invalid_input` error saying what to fix.
    public static func validated(certificatePEM: String, keyPEM: String, host: String, now: Date = Date()) throws(RailyardError) -> TLSIdentity {
        let chain = try parseChain(certificatePEM)
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: keyPEM)
        } catch {
            throw .invalid(
                "privateKey", "the private key is not a PEM private key Railyard can read (PKCS#8, EC or RSA, unencrypted): give the key file that came with the certificate, e.g. privkey.pem"
            )
        }
        let leaf = chain[0]
        guard key.publicKey == leaf.publicKey else {
            throw .invalid("privateKey", "the private key does not belong to the certificate: give the key the certificate for \(host) was issued for")
        }
        let identity: TLSIdentity
        do {
            identity = try TLSIdentity(chain: chain, key: key)
        } catch {
            throw .invalid("certificate", "the certificate or key could not be loaded for TLS (\(error)); check they are a usable pair")
        }
        guard identity.covers(host) else {
            let named = identity.names.isEmpty ? "no DNS names" : identity.names.joined(separator: ", ")
            throw .invalid("certificate", "the certificate does not cover \(host) (it names \(named)): give a certificate issued for \(host)")
        }
        guard leaf.notValidAfter > now else {
            throw .invalid("certificate", "the certificate for \(host) expired on \(Self.day(leaf.notValidAfter)): renew it and give the new one")
        }
        guard leaf.notValidBefore <= now else {
            throw .invalid("certificate", "the certificate for \(host) is not valid before \(Self.day(leaf.notValidBefore)): check the clock, or give a certificate valid now")
        }
        return identity
    }

    /// The certificates of a PEM bundle, in order; at least one.
    public static func parseChain(_ pem: String) throws(RailyardError) -> [Certificate] {
        let notPEM = RailyardError.invalid(
            "certificate", "the certificate is not PEM text: give the file that starts with -----BEGIN CERTIFICATE----- (e.g. fullchain.pem)"
        )
        guard let documents = try? PEMDocument.parseMultiple(pemString: pem), !documents.isEmpty else { throw notPEM }
        var chain: [Certificate] = []
        for document in documents where document.discriminator == "CERTIFICATE" {
            do {
                chain.append(try Certificate(pemDocument: document))
            } catch {
                throw .invalid("certificate", "certificate \(chain.count + 1) in the file is not a valid X.509 certificate: \(error)")
            }
        }
        guard !chain.isEmpty else {
            throw .invalid("certificate", "the certificate file holds no CERTIFICATE block: give the certificate (e.g. fullchain.pem), not only the key")
        }
        return chain
    }

    private static func day(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }
}
