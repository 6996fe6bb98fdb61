import Foundation
import Logging
import RailyardCore
import RailyardEdge

/// The server's HTTPS side of the edge: the local development CA (made on first start in
/// `tls/ca`) and the certificate store the HTTPS listener presents from. The CA issues for the
/// generated domains the edge routes (under `--base-domain`); its certificate for the base domain
/// is what names nothing else covers get.
struct EdgeHTTPS: Sendable {
    let authority: LocalCertificateAuthority
    let certificates: TLSCertificateStore

    /// Loads or makes the CA in the data dir; routed hosts under the base domain get its certificates.
    static func make(configuration: ServerConfiguration, routes: RouteTable, logger: Logger) throws(RailyardError) -> EdgeHTTPS {
        let base = configuration.baseDomain.lowercased()
        let directory = DataLayout(root: configuration.dataDirectory).localCA
        do {
            let authority = try LocalCertificateAuthority.loadOrCreate(directory: directory) { host in
                host.hasSuffix(".\(base)") && routes.route(for: host) != nil
            }
            let certificates = TLSCertificateStore(defaultIdentity: try authority.identity(for: [base]), issuer: authority, logger: logger)
            logger.info("local development CA", metadata: ["tls.ca_certificate": "\(authority.certificateFile.path)"])
            return EdgeHTTPS(authority: authority, certificates: certificates)
        } catch {
            throw RailyardError(
                .internal, "could not load or create the local CA in \(directory.path) (\(error)); check the data dir is writable, or remove a damaged tls/ca folder to make a new CA"
            )
        }
    }
}
