import Hummingbird
import NIOCore
import RailyardCore

/// The per-request state routes share: the logger, the caller's address (for rate limiting by IP)
/// and, once ``AuthenticationMiddleware`` ran, the caller's ``Identity``.
public struct RailyardRequestContext: RequestContext {
    /// Hummingbird's own per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The peer's address; nil in router tests, which have no socket.
    public let remoteAddress: SocketAddress?
    /// The authenticated caller, if the request carried valid credentials.
    public var identity: Identity?
    /// Which workspace the request acted in, once a permission was checked there (for the audit log).
    let audit = AuditTrail()

    /// A context for a request arriving on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.identity = nil
    }

    /// Request bodies are JSON objects; variables can be up to 32 KiB each, 500 per request.
    public var maxUploadSize: Int { 4 * 1024 * 1024 }

    /// The signed-in user, or `unauthorized` when the request carried no credentials.
    public func requireUser() throws(RailyardError) -> User {
        guard let identity else { throw .signInRequired }
        return identity.user
    }
}
