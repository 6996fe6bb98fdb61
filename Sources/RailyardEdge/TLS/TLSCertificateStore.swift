import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// Makes certificates on demand for host names no one gave one for (the local development CA).
public protocol CertificateIssuer: Sendable {
    /// Whether this issuer makes certificates for `host`. Cheap: asked during handshakes.
    func accepts(_ host: String) -> Bool
    /// A certificate for `host`; may block (key generation, files), so it runs off the event loop.
    func issue(for host: String) throws -> TLSIdentity
}

/// The certificates the edge's HTTPS listener presents, by server name (SNI). Shared by every
/// connection and changed at runtime: a domain's certificate added or removed takes effect with the
/// next handshake. A name is looked up exactly, then by wildcard, then given to the issuer; a name
/// nothing covers gets the default identity.
public final class TLSCertificateStore: Sendable {
    private struct State {
        /// Certificates given for host names (custom domains), by lowercased host.
        var given: [String: TLSIdentity] = [:]
        /// Certificates the issuer made, by host.
        var issued: [String: TLSIdentity] = [:]
    }

    /// What a handshake for an unknown name (or none) gets.
    public let defaultIdentity: TLSIdentity
    private let issuer: (any CertificateIssuer)?
    private let logger: Logger
    private let state = Mutex(State())

    /// A store presenting `defaultIdentity` to names it has nothing for, asking `issuer` for the
    /// names it accepts.
    public init(defaultIdentity: TLSIdentity, issuer: (any CertificateIssuer)? = nil, logger: Logger = Logger(label: "railyard.edge.tls")) {
        self.defaultIdentity = defaultIdentity
        self.issuer = issuer
        self.logger = logger
    }

    /// Presents `identity` for `host` from the next handshake on.
    public func set(_ identity: TLSIdentity, for host: String) {
        state.withLock { $0.given[host.lowercased()] = identity }
    }

    /// Stops presenting the certificate given for `host`.
    public func remove(_ host: String) {
        _ = state.withLock { $0.given.removeValue(forKey: host.lowercased()) }
    }

    /// The certificate given for `host`, if any (exact name only).
    public func given(for host: String) -> TLSIdentity? {
        state.withLock { $0.given[host.lowercased()] }
    }

    /// Whether a handshake for `host` gets a certificate naming it (given, or the issuer's), not
    /// the default: plain HTTP for such hosts may be redirected to HTTPS.
    public func hasCertificate(for host: String) -> Bool {
        let host = host.lowercased()
        return lookup(host) != nil || issuer?.accepts(host) == true
    }

    /// The identity for a server name when one is at hand without issuing: given exactly, given
    /// by wildcard, or issued before.
    func lookup(_ host: String) -> TLSIdentity? {
        state.withLock { state in
            if let exact = state.given[host] { return exact }
            if let dot = host.firstIndex(of: "."), let wildcard = state.given["*" + host[dot...]] { return wildcard }
            if let issued = state.issued[host], issued.notValidAfter > .now { return issued }
            return nil
        }
    }

    /// Completes `promise` with what a handshake for `serverName` presents. Called by NIOSSL on
    /// the connection's event loop; issuing runs on `threadPool`.
    func select(serverName: String?, promise: EventLoopPromise<NIOSSLContextConfigurationOverride>, threadPool: NIOThreadPool) {
        guard let name = serverName?.lowercased() else { return promise.succeed(.noChanges) }
        if let identity = lookup(name) { return promise.succeed(identity.override) }
        guard let issuer, issuer.accepts(name) else { return promise.succeed(.noChanges) }
        let issued = threadPool.runIfActive(eventLoop: promise.futureResult.eventLoop) { try issuer.issue(for: name) }
        issued.whenComplete { result in
            switch result {
            case .success(let identity):
                self.state.withLock { $0.issued[name] = identity }
                promise.succeed(identity.override)
            case .failure(let error):
                self.logger.error("could not issue a certificate", metadata: ["tls.server_name": "\(name)", "error": "\(error)"])
                promise.succeed(.noChanges)
            }
        }
    }

    /// The NIOSSL context of the HTTPS listener: the default identity, switched per handshake by
    /// server name.
    func makeContext(threadPool: NIOThreadPool) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: defaultIdentity.override.certificateChain ?? [],
            privateKey: defaultIdentity.override.privateKey!
        )
        configuration.applicationProtocols = ["http/1.1"]
        configuration.sslContextCallback = { values, promise in
            self.select(serverName: values.serverHostname, promise: promise, threadPool: threadPool)
        }
        return try NIOSSLContext(configuration: configuration)
    }
}
