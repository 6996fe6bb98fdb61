import RailyardEdge
import RailyardTestSupport

extension TestCA {
    /// An identity for `names`, parsed and checked as the server does.
    func identity(_ names: [String]) throws -> TLSIdentity {
        let pair = try issue(names)
        return try TLSIdentity.validated(certificatePEM: pair.certificatePEM, keyPEM: pair.keyPEM, host: names[0])
    }
}
