import AsyncHTTPClient
import Foundation
import Logging
import RailyardEdge
import RailyardRuntime
import RailyardStore

/// What the routes share: configuration, the store, token issuers, GitHub, the rate limiters.
struct AppDependencies: Sendable {
    let configuration: ServerConfiguration
    let store: any Store
    let sessions: SessionTokens
    let oauthState: OAuthState
    let passwords: PasswordHasher
    let github: GitHubClient
    let access: Access
    let authLimiter: RateLimiter
    let apiLimiter: RateLimiter
    /// Budget of the unauthenticated webhook deliveries, per client IP.
    let webhookLimiter: RateLimiter
    /// Per-service webhook secrets and their signature check.
    let webhooks: WebhookSignature
    let logger: Logger
    /// The port actually bound, once known (with `--port 0` it is known only after binding).
    let boundPort: BoundPort
    /// The edge's host → route table, which the deployer updates and the edge reads.
    let routes: RouteTable
    /// The edge's port, once bound.
    let edgePort: BoundPort
    /// Builds and releases deployments.
    let deployer: Deployer
    /// The edge's access logs and request counters.
    let traffic: HTTPTraffic
    /// The public TCP ports forwarded to services' replicas.
    let tcpProxies: TCPProxies
    let metrics: ServerMetrics
    let notifier: DeployNotifier
    let usage: UsageRecorder
    /// Live deployment events for the dashboard's sockets.
    let events: EventHub
    /// The dashboard's files.
    let dashboard: DashboardAssets

    init(
        configuration: ServerConfiguration, store: any Store, secret: ServerSecret, logger: Logger,
        httpClient: HTTPClient, now: @escaping @Sendable () -> Date = { Date() },
        routes: RouteTable = RouteTable(), certificateStore: TLSCertificateStore? = nil
    ) async {
        self.configuration = configuration
        self.store = store
        self.sessions = await SessionTokens(secret: secret, ttl: configuration.sessionTTL, now: now)
        self.oauthState = await OAuthState(secret: secret)
        self.passwords = PasswordHasher(cost: configuration.bcryptCost)
        self.github = GitHubClient(configuration: configuration.github, httpClient: httpClient)
        self.access = Access(store: store)
        let clock: @Sendable () -> Double = { now().timeIntervalSince1970 }
        self.authLimiter = RateLimiter(
            rule: configuration.authRateLimit, capacity: configuration.rateLimitTableSize, now: clock
        )
        self.apiLimiter = RateLimiter(
            rule: configuration.apiRateLimit, capacity: configuration.rateLimitTableSize, now: clock
        )
        self.webhookLimiter = RateLimiter(
            rule: configuration.webhookRateLimit, capacity: configuration.rateLimitTableSize, now: clock
        )
        self.webhooks = WebhookSignature(secret: secret)
        self.logger = logger
        self.boundPort = BoundPort(configuration.port)
        self.routes = routes
        self.edgePort = BoundPort(configuration.edgePort)
        // Several servers on one host each take a share of its uids and private networks.
        var isolation = Isolation.detect()
        var share: HostShare?
        if getuid() == 0 {
            do {
                share = try HostShare.claim(dataDirectory: configuration.dataDirectory)
            } catch {
                logger.error("no share of this host's uids and networks; private networks are off", metadata: ["error": "\(error)"])
            }
        }
        if let share { isolation.userBase = share.userBase }
        self.traffic = HTTPTraffic(directory: configuration.dataDirectory.appendingPathComponent("logs/http", isDirectory: true))
        self.deployer = Deployer(
            store: store, dataDirectory: configuration.dataDirectory,
            driver: ProcessDriver(isolation: isolation, logger: logger), routes: routes, share: share,
            baseDomain: configuration.baseDomain, edgePort: edgePort, logger: logger,
            allowLocalGitSources: configuration.allowLocalGitSources, separateNetworks: configuration.separateNetworks,
            maxLimits: configuration.maxLimits, certificateStore: certificateStore
        )
        self.tcpProxies = TCPProxies(
            store: store, routes: routes, bindHost: configuration.host, domain: configuration.baseDomain,
            publicPorts: configuration.tcpProxyPorts, logger: logger
        )
        self.metrics = ServerMetrics(store: store, traffic: traffic, logger: logger)
        let deployer = self.deployer
        self.notifier = DeployNotifier(
            store: store, httpClient: httpClient, secret: secret, logger: logger,
            decorate: { (try? await deployer.decorate($0)) ?? $0 }
        )
        notifier.start()
        let events = EventHub(store: store, logger: logger) { (try? await deployer.decorate($0)) ?? $0 }
        self.events = events
        self.usage = UsageRecorder(store: store, deployer: deployer, notifier: notifier, logger: logger, published: events.publishUsage)
        self.dashboard = DashboardAssets.installed()
    }

    /// How the outside reaches the API, e.g. for the OAuth callback.
    var publicURL: String { configuration.publicURL(boundPort: boundPort.value) }
}
