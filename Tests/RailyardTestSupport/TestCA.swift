import Crypto
import Foundation
import X509

/// A certificate authority made in the test, issuing PEM certificate and key pairs as a public CA
/// would (fullchain.pem, privkey.pem), including broken ones for the validation tests.
public struct TestCA: Sendable {
    public let key = P256.Signing.PrivateKey()
    /// The CA certificate clients trust.
    public let certificate: Certificate

    /// A new CA named `name`, valid for a day.
    public init(name: String = "Railyard test CA") throws {
        let subject = try DistinguishedName { CommonName(name) }
        certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: Date() - 3600, notValidAfter: Date() + 86_400,
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true))
            },
            issuerPrivateKey: .init(key)
        )
    }

    /// A leaf certificate for `names` (PEM, leaf then this CA) and its key (PKCS#8 PEM).
    public func issue(
        _ names: [String], notValidBefore: Date = Date() - 3600, notValidAfter: Date = Date() + 86_400
    ) throws -> (certificatePEM: String, keyPEM: String) {
        let leafKey = P256.Signing.PrivateKey()
        let leaf = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(leafKey.publicKey),
            notValidBefore: notValidBefore, notValidAfter: notValidAfter,
            issuer: certificate.subject, subject: try DistinguishedName { CommonName(names.first ?? "none") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                SubjectAlternativeNames(names.map { .dnsName($0) })
            },
            issuerPrivateKey: .init(key)
        )
        let chain = try leaf.serializeAsPEM().pemString + "\n" + certificate.serializeAsPEM().pemString + "\n"
        return (chain, leafKey.pemRepresentation)
    }

    /// The CA certificate as PEM, for clients that read files (curl --cacert).
    public var certificatePEM: String {
        get throws { try certificate.serializeAsPEM().pemString + "\n" }
    }
}
