import Foundation
import RailyardEdge
import RailyardRuntime

/// Everything the control plane needs to know to start: where its data lives, what it binds, how
/// the outside reaches it, GitHub sign-in and request budgets. Built from flags and the environment
/// by ``ServerCommand``; tests build one directly.
public struct ServerConfiguration: Sendable {
    /// The environment variable naming the data directory when `--data` is not given.
    public static let dataEnvironmentVariable = "RAILYARD_DATA"

    /// Where `railyard.db`, `secret.key` and later sources, builds and logs live.
    public var dataDirectory: URL
    /// The address the API binds (loopback unless told otherwise).
    public var host: String
    /// The API and dashboard port; 0 picks a free one.
    public var port: Int
    /// The edge proxy's port (bound from the deploy-path issue on).
    public var edgePort: Int
    /// The domain under which services get their URLs.
    public var baseDomain: String
    /// How the outside reaches the API (OAuth redirect, webhook links); nil means `http://localhost:<port>`.
    public var publicURL: String?
    /// `postgres://…` to keep state in PostgreSQL; nil keeps it in SQLite in the data directory.
    public var databaseURL: String?
    /// GitHub sign-in settings.
    public var github: GitHubConfiguration
    /// Budget for `/api/v1/auth/*`, per client IP.
    public var authRateLimit: RateLimitRule
    /// Budget for the rest of `/api/v1`, per token (or per IP when anonymous).
    public var apiRateLimit: RateLimitRule
    /// Most clients the rate limiter remembers at once.
    public var rateLimitTableSize: Int
    /// How long a session token lives, in seconds.
    public var sessionTTL: TimeInterval
    /// bcrypt cost for new password hashes (12 in production; tests use 4).
    public var bcryptCost: Int
    /// Whether to take the client IP from `X-Forwarded-For` (only behind a proxy you run).
    public var trustForwardedFor: Bool
    /// Whether services may deploy from a repository on the server's disk (`file://…`, `/path`): only
    /// for a server whose users may all read its disk.
    public var allowLocalGitSources: Bool
    /// Refuse to start unless apps can run sandboxed, as another user, under cgroup limits.
    public var requireSandbox: Bool
    /// Budget for `/api/v1/webhooks/*`, per client IP.
    public var webhookRateLimit: RateLimitRule
    /// Whether replicas get private networks (when this machine can give them).
    public var separateNetworks: Bool
    /// The most a service may ask for per replica (`deploy.memoryLimit`, `cpuLimit`, `pidsLimit`);
    /// higher asks are held to these. The operator's, not the app's, to decide.
    public var maxLimits: ResourceLimits
    /// The edge's timeouts and limits (`--edge-*` flags); its access log is the server's to set.
    public var edge: EdgeServer.Configuration
    /// How long a `sleepApplication` service may go without a request before it sleeps.
    public var sleepAfter: Duration
    /// The edge's HTTPS port; nil serves plain HTTP only, 0 picks a free port.
    public var httpsPort: Int?
    /// Whether plain HTTP requests for hosts with a certificate get a 308 to HTTPS.
    public var httpsRedirect: Bool
    /// The public ports TCP proxies are given (`--tcp-proxy-ports`), each the lowest free one.
    public var tcpProxyPorts: ClosedRange<Int>
    /// The bearer token `/metrics` asks for (`--metrics-token`); nil serves it to anyone who can
    /// reach the API's address.
    public var metricsToken: String?
    /// How often replicas' usage is sampled (`RAILYARD_USAGE_INTERVAL` seconds; 5 by default).
    public var usageInterval: Duration = .seconds(5)
    /// How often an open events socket's token and access are checked again.
    public var eventsRevalidateInterval: Duration = .seconds(30)
    /// Logs of deployments that no longer run are deleted after this long (`--log-retention`).
    public var logRetention: TimeInterval = 14 * 86_400
    /// …and, oldest first, while a service's logs in an environment take more than this (`--log-max-size`).
    public var logMaxBytes: Int64 = 512 << 20

    /// A configuration with Railyard's defaults for everything not given.
    public init(
        dataDirectory: URL = ServerConfiguration.defaultDataDirectory(),
        host: String = "127.0.0.1",
        port: Int = 7070,
        edgePort: Int = 8080,
        baseDomain: String = "localhost",
        publicURL: String? = nil,
        databaseURL: String? = nil,
        github: GitHubConfiguration = GitHubConfiguration(),
        authRateLimit: RateLimitRule = RateLimitRule(limit: 100, window: 15 * 60),
        apiRateLimit: RateLimitRule = RateLimitRule(limit: 1200, window: 60),
        rateLimitTableSize: Int = 100_000,
        sessionTTL: TimeInterval = 7 * 24 * 3600,
        bcryptCost: Int = 12,
        trustForwardedFor: Bool = false,
        allowLocalGitSources: Bool = false,
        requireSandbox: Bool = false,
        webhookRateLimit: RateLimitRule = RateLimitRule(limit: 120, window: 60),
        separateNetworks: Bool = true,
        maxLimits: ResourceLimits = ServerConfiguration.defaultMaxLimits,
        edge: EdgeServer.Configuration = EdgeServer.Configuration(),
        sleepAfter: Duration = .seconds(600),
        httpsPort: Int? = nil,
        httpsRedirect: Bool = false,
        tcpProxyPorts: ClosedRange<Int> = ServerConfiguration.defaultTCPProxyPorts,
        metricsToken: String? = nil
    ) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.edgePort = edgePort
        self.baseDomain = baseDomain
        self.publicURL = publicURL
        self.databaseURL = databaseURL
        self.github = github
        self.authRateLimit = authRateLimit
        self.apiRateLimit = apiRateLimit
        self.rateLimitTableSize = rateLimitTableSize
        self.sessionTTL = sessionTTL
        self.bcryptCost = bcryptCost
        self.trustForwardedFor = trustForwardedFor
        self.allowLocalGitSources = allowLocalGitSources
        self.requireSandbox = requireSandbox
        self.webhookRateLimit = webhookRateLimit
        self.separateNetworks = separateNetworks
        self.maxLimits = maxLimits
        self.edge = edge
        self.sleepAfter = sleepAfter
        self.httpsPort = httpsPort
        self.httpsRedirect = httpsRedirect
        self.tcpProxyPorts = tcpProxyPorts
        self.metricsToken = metricsToken
    }

    /// 20000–20999: a thousand TCP proxies, below Linux's ephemeral ports (32768 on).
    public static let defaultTCPProxyPorts = 20000...20999

    /// 4 GiB, every CPU of the machine, 4096 processes per replica.
    public static var defaultMaxLimits: ResourceLimits {
        ResourceLimits(memoryBytes: 4 << 30, cpuMillicores: max(1, ProcessInfo.processInfo.activeProcessorCount) * 1000, pids: 4096)
    }

    /// `$RAILYARD_DATA` if set, else `./.railyard`.
    public static func defaultDataDirectory(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL {
        if let path = environment[dataEnvironmentVariable], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
            .appendingPathComponent(".railyard", isDirectory: true)
    }

    /// The public URL for a server bound to `boundPort`: the configured one, or `http://localhost:<port>`.
    public func publicURL(boundPort: Int) -> String {
        if let publicURL { return publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL }
        return "http://localhost:\(boundPort)"
    }
}
