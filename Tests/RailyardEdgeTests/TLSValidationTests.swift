import Foundation
import RailyardCore
import RailyardEdge
import RailyardTestSupport
import Testing

/// A custom domain's PEM files are refused, with a sentence saying what to fix, unless they parse,
/// belong together, name the domain and are valid now.
@Suite("TLS certificate validation")
struct TLSValidationTests {
    enum Case: String, CaseIterable, CustomTestStringConvertible {
        case notPEM, keyOnlyAsCertificate, badKey, otherKey, otherName, expired, notYetValid
        var testDescription: String { rawValue }
    }

    @Test("bad certificate files are refused with the field and the fix", arguments: Case.allCases)
    func refused(_ problem: Case) throws {
        let ca = try TestCA()
        let good = try ca.issue(["shop.example.com"])
        var certificate = good.certificatePEM
        var key = good.keyPEM
        let expected: (field: String, phrase: String)
        switch problem {
        case .notPEM:
            certificate = "not a certificate"
            expected = ("certificate", "not PEM text")
        case .keyOnlyAsCertificate:
            certificate = good.keyPEM
            expected = ("certificate", "no CERTIFICATE block")
        case .badKey:
            key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
            expected = ("privateKey", "not a PEM private key")
        case .otherKey:
            key = try ca.issue(["shop.example.com"]).keyPEM
            expected = ("privateKey", "does not belong to the certificate")
        case .otherName:
            let pair = try ca.issue(["www.example.org"])
            (certificate, key) = (pair.certificatePEM, pair.keyPEM)
            expected = ("certificate", "does not cover shop.example.com (it names www.example.org)")
        case .expired:
            let pair = try ca.issue(["shop.example.com"], notValidBefore: Date() - 86_400 * 10, notValidAfter: Date() - 86_400)
            (certificate, key) = (pair.certificatePEM, pair.keyPEM)
            expected = ("certificate", "expired on")
        case .notYetValid:
            let pair = try ca.issue(["shop.example.com"], notValidBefore: Date() + 86_400, notValidAfter: Date() + 86_400 * 10)
            (certificate, key) = (pair.certificatePEM, pair.keyPEM)
            expected = ("certificate", "is not valid before")
        }
        let error = #expect(throws: RailyardError.self) {
            try TLSIdentity.validated(certificatePEM: certificate, keyPEM: key, host: "shop.example.com")
        }
        #expect(error?.code == .invalidInput)
        #expect(error?.field == expected.field)
        #expect(error?.message.contains(expected.phrase) == true, "\(error?.message ?? "")")
    }

    @Test("a good pair is taken, a wildcard covers one label, and the chain is kept in order")
    func accepted() throws {
        let ca = try TestCA()
        let pair = try ca.issue(["*.example.com"])
        let identity = try TLSIdentity.validated(certificatePEM: pair.certificatePEM, keyPEM: pair.keyPEM, host: "shop.example.com")
        #expect(identity.chain.count == 2)
        #expect(identity.chain[1] == ca.certificate)
        #expect(identity.covers("SHOP.example.com"))
        #expect(!identity.covers("a.shop.example.com"))
        #expect(!identity.covers("example.com"))
    }
}
