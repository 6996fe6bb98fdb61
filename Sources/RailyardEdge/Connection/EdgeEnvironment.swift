import RailyardCore
import Logging
import NIOCore
import NIOPosix

/// What every client connection shares: the route table, the upstream pool, the static-file
/// machinery and the logger. Built once per `EdgeServer.run()`.
struct EdgeEnvironment: Sendable {
    let routes: RouteTable
    let pool: UpstreamPool
    let files: StaticFileResolver
    /// Where blocking file-system calls run.
    let threadPool: NIOThreadPool
    let logger: Logger
    /// Whether each request goes to the server log too (read per request without touching the
    /// logger's handler, which every connection shares).
    let debugLogging: Bool
    /// The most request-body bytes a request may send to an app.
    var maxRequestBodySize: Int = EdgeServer.Configuration().maxRequestBodySize
    /// How long a tunnel may carry nothing either way before it is closed.
    var tunnelIdleTimeout = TimeAmount(EdgeServer.Configuration().tunnelIdleTimeout)
    /// Told of each answered request to a known host.
    var accessLog: (@Sendable (AccessRecord) -> Void)? = nil
    /// Told of the epoll engine's answered requests in batches, when set.
    var accessLogBatch: (@Sendable ([AccessRecord]) -> Void)? = nil
    /// Told of each request held for a sleeping host (the host as routed): wake it.
    var wake: (@Sendable (String) -> Void)? = nil
    /// How long a request is held for a sleeping host before it gets a 503.
    var wakeTimeout = TimeAmount(EdgeServer.Configuration().wakeTimeout)
    /// Whether this listener's clients come over TLS (the HTTPS listener).
    var secure = false
    /// Plain HTTP requests for hosts with a certificate get a 308 to HTTPS on this port, when set.
    var httpsRedirect: HTTPSRedirect? = nil

    init(
        routes: RouteTable,
        pool: UpstreamPool,
        files: StaticFileResolver,
        threadPool: NIOThreadPool,
        logger: Logger,
        maxRequestBodySize: Int = EdgeServer.Configuration().maxRequestBodySize,
        tunnelIdleTimeout: TimeAmount = TimeAmount(EdgeServer.Configuration().tunnelIdleTimeout),
        accessLog: (@Sendable (AccessRecord) -> Void)? = nil,
        accessLogBatch: (@Sendable ([AccessRecord]) -> Void)? = nil,
        wake: (@Sendable (String) -> Void)? = nil,
        wakeTimeout: TimeAmount = TimeAmount(EdgeServer.Configuration().wakeTimeout)
    ) {
        self.routes = routes
        self.pool = pool
        self.files = files
        self.threadPool = threadPool
        self.logger = logger
        self.debugLogging = logger.logLevel <= .debug
        self.maxRequestBodySize = maxRequestBodySize
        self.tunnelIdleTimeout = tunnelIdleTimeout
        self.accessLog = accessLog
        self.accessLogBatch = accessLogBatch
        self.wake = wake
        self.wakeTimeout = wakeTimeout
    }
}

/// Sends plain HTTP requests for hosts that have a certificate to the HTTPS listener.
struct HTTPSRedirect: Sendable {
    let certificates: TLSCertificateStore
    /// The HTTPS listener's port (left out of the location when it is 443).
    let port: Int

    /// Where a plain request for `host` and `uri` should go instead, or nil to serve it as is.
    func location(host: String, uri: String) -> String? {
        guard certificates.hasCertificate(for: host) else { return nil }
        let authority = port == 443 ? host : "\(host):\(port)"
        return "https://\(authority)\(uri.hasPrefix("/") ? uri : "/")"
    }
}
