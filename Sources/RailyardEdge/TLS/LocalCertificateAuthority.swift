import Crypto
import Foundation
import SwiftASN1
import X509

/// The development CA Railyard makes for itself: a P-256 key and a self-signed certificate kept in
/// a folder of the data dir, which issues certificates for development host names on demand (and
/// keeps them there, reused until a month before they end). A developer trusts `certificateFile`
/// (curl `--cacert`, or the OS trust store) to use HTTPS on `*.localhost` without warnings.
public struct LocalCertificateAuthority: CertificateIssuer {
    /// The CA certificate (PEM) to trust.
    public let certificateFile: URL
    /// The CA certificate.
    public let certificate: Certificate
    private let key: P256.Signing.PrivateKey
    private let issuedDirectory: URL
    private let accepting: @Sendable (String) -> Bool

    /// How long issued certificates last, and how long before their end they are replaced.
    static let leafLifetime: TimeInterval = 365 * 86_400
    static let renewBefore: TimeInterval = 30 * 86_400

    /// The CA in `directory` (`ca.pem`, `ca-key.pem` with mode 0600, `issued/`), made on first use.
    /// It issues for the host names `accepting` allows.
    public static func loadOrCreate(directory: URL, accepting: @escaping @Sendable (String) -> Bool) throws -> LocalCertificateAuthority {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificateFile = directory.appendingPathComponent("ca.pem")
        let keyFile = directory.appendingPathComponent("ca-key.pem")
        let key: P256.Signing.PrivateKey
        let certificate: Certificate
        if FileManager.default.fileExists(atPath: keyFile.path) {
            key = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOf: keyFile, encoding: .utf8))
            certificate = try Certificate(pemEncoded: String(contentsOf: certificateFile, encoding: .utf8))
        } else {
            key = P256.Signing.PrivateKey()
            certificate = try makeRoot(key: key)
            try PrivateFile.write(Data(key.pemRepresentation.utf8), to: keyFile)
            try PrivateFile.write(Data(try certificate.serializeAsPEM().pemString.utf8), to: certificateFile, mode: 0o644)
        }
        return LocalCertificateAuthority(
            certificateFile: certificateFile, certificate: certificate, key: key,
            issuedDirectory: directory.appendingPathComponent("issued", isDirectory: true), accepting: accepting
        )
    }

    /// Whether this CA issues for `host`.
    public func accepts(_ host: String) -> Bool { accepting(host.lowercased()) }

    /// The certificate for `host`: the one issued before if it has more than a month left, else a
    /// new one (kept for next time).
    public func issue(for host: String) throws -> TLSIdentity {
        let host = host.lowercased()
        // The name becomes a file name: DNS characters only.
        guard !host.isEmpty, !host.hasPrefix("."), !host.contains(".."),
              host.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x2E }) else {
            throw LocalCertificateAuthorityError(host: host)
        }
        let certificateFile = issuedDirectory.appendingPathComponent("\(host).pem")
        let keyFile = issuedDirectory.appendingPathComponent("\(host)-key.pem")
        if let kept = try? TLSIdentity(
            chain: [Certificate(pemEncoded: String(contentsOf: certificateFile, encoding: .utf8))],
            key: Certificate.PrivateKey(pemEncoded: String(contentsOf: keyFile, encoding: .utf8))
        ), kept.leaf.issuer == certificate.subject, kept.covers(host), kept.notValidAfter > Date() + Self.renewBefore {
            return kept
        }
        let (leaf, leafKey) = try makeLeaf(for: [host])
        try FileManager.default.createDirectory(at: issuedDirectory, withIntermediateDirectories: true)
        try PrivateFile.write(Data(leafKey.pemRepresentation.utf8), to: keyFile)
        try PrivateFile.write(Data(try leaf.serializeAsPEM().pemString.utf8), to: certificateFile, mode: 0o644)
        return try TLSIdentity(chain: [leaf], key: Certificate.PrivateKey(leafKey))
    }

    /// A new certificate for `names` signed by this CA, not kept on disk (the edge's default
    /// identity, tests).
    public func identity(for names: [String]) throws -> TLSIdentity {
        let (leaf, leafKey) = try makeLeaf(for: names)
        return try TLSIdentity(chain: [leaf], key: Certificate.PrivateKey(leafKey))
    }

    private func makeLeaf(for names: [String]) throws -> (Certificate, P256.Signing.PrivateKey) {
        let leafKey = P256.Signing.PrivateKey()
        let now = Date()
        let leaf = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(leafKey.publicKey),
            notValidBefore: now - 3600,
            notValidAfter: now + Self.leafLifetime,
            issuer: certificate.subject,
            subject: try DistinguishedName { CommonName(names.first ?? "railyard") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names.map { .dnsName($0) })
                AuthorityKeyIdentifier(keyIdentifier: try certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
            },
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
        return (leaf, leafKey)
    }

    private static func makeRoot(key: P256.Signing.PrivateKey) throws -> Certificate {
        let publicKey = Certificate.PublicKey(key.publicKey)
        let name = try DistinguishedName {
            OrganizationName("Railyard")
            CommonName("Railyard local development CA \(String(UInt32.random(in: 0...UInt32.max), radix: 16))")
        }
        let now = Date()
        return try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: publicKey,
            notValidBefore: now - 3600,
            notValidAfter: now + 10 * 365 * 86_400,
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: publicKey)
            },
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
    }
}

/// A name the local CA will not issue for (not a plain DNS name).
struct LocalCertificateAuthorityError: Error, CustomStringConvertible {
    let host: String
    var description: String { "'\(host)' is not a DNS name the local CA issues certificates for" }
}
