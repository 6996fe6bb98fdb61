import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import RailyardCore
import RailyardRuntime
import RailyardEdge
import RailyardStore
import ServiceLifecycle

/// Builds the control plane's HTTP application: the REST API under `/api/v1`, `/health`, and the
/// OpenAPI document, behind error, security-header, rate-limit and authentication middleware.
public enum RailyardApp {
    /// The router with every route, for the server and for tests that walk the routes.
    public static func buildRouter(
        configuration: ServerConfiguration, store: any Store, secret: ServerSecret, logger: Logger,
        httpClient: HTTPClient, now: @escaping @Sendable () -> Date = { Date() }
    ) async -> Router<RailyardRequestContext> {
        let dependencies = await AppDependencies(
            configuration: configuration, store: store, secret: secret, logger: logger, httpClient: httpClient, now: now
        )
        return buildRouter(dependencies: dependencies)
    }

    static func buildRouter(dependencies: AppDependencies) -> Router<RailyardRequestContext> {
        let router = Router(context: RailyardRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: ErrorMiddleware())
        router.get("health") { _, _ in JSONResponse(["status": "ok"]) }
        MetricsController(dependencies: dependencies).addRoutes(to: router)
        DashboardController(assets: dependencies.dashboard).addRoutes(to: router)

        let trust = dependencies.configuration.trustForwardedFor
        let auth = router.group("api/v1/auth")
            .add(middleware: RateLimitMiddleware(limiter: dependencies.authLimiter, key: .ip, trustForwardedFor: trust))
        AuthController(dependencies: dependencies).addRoutes(to: auth)

        let webhooks = router.group("api/v1/webhooks")
            .add(middleware: RateLimitMiddleware(limiter: dependencies.webhookLimiter, key: .ip, trustForwardedFor: trust))
        WebhookController(dependencies: dependencies).addDeliveryRoutes(to: webhooks)

        let api = router.group("api/v1")
            .add(middleware: RateLimitMiddleware(limiter: dependencies.apiLimiter, key: .credentialOrIP, trustForwardedFor: trust))
            .add(middleware: AuthenticationMiddleware(store: dependencies.store, sessions: dependencies.sessions))
            .add(middleware: AuditMiddleware(store: dependencies.store, trustForwardedFor: trust, logger: dependencies.logger))
        let document = OpenAPIDocument.railyard.encoded()
        api.get("openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: document))
            )
        }
        AccountController(dependencies: dependencies).addRoutes(to: api)
        WorkspaceController(dependencies: dependencies).addRoutes(to: api)
        ProjectController(dependencies: dependencies).addRoutes(to: api)
        EnvironmentController(dependencies: dependencies).addRoutes(to: api)
        ServiceController(dependencies: dependencies).addRoutes(to: api)
        VariableController(dependencies: dependencies).addRoutes(to: api)
        ServiceSettingsController(dependencies: dependencies).addRoutes(to: api)
        DeploymentController(dependencies: dependencies, deployer: dependencies.deployer).addRoutes(to: api)
        VolumeController(dependencies: dependencies, deployer: dependencies.deployer).addRoutes(to: api)
        DomainController(dependencies: dependencies, deployer: dependencies.deployer).addRoutes(to: api)
        TrafficController(dependencies: dependencies).addRoutes(to: api)
        TCPProxyController(dependencies: dependencies).addRoutes(to: api)
        DatabaseController(dependencies: dependencies).addRoutes(to: api)
        DatabaseBackupController(dependencies: dependencies).addRoutes(to: api)
        ProjectWebhookController(dependencies: dependencies).addRoutes(to: api)
        UsageController(dependencies: dependencies).addRoutes(to: api)
        TeamController(dependencies: dependencies).addRoutes(to: api)
        LogSearchController(dependencies: dependencies).addRoutes(to: api)
        CronController(dependencies: dependencies, deployer: dependencies.deployer).addRoutes(to: api)
        WebhookController(dependencies: dependencies).addRoutes(to: api)
        EventsController(dependencies: dependencies).addRoutes(to: api)
        return router
    }

    /// The application, ready to run in a `ServiceGroup` or under HummingbirdTesting.
    ///
    /// `onListening` is called with the bound port once the server listens (the command prints it);
    /// `onHTTPSListening` with the HTTPS port and the local CA's certificate file, when HTTPS is on.
    /// Throws when HTTPS is asked for and the local CA cannot be loaded or made.
    public static func buildApplication(
        configuration: ServerConfiguration, store: any Store, secret: ServerSecret, logger: Logger,
        httpClient: HTTPClient, onListening: @escaping @Sendable (_ host: String, _ port: Int) -> Void = { _, _ in },
        onEdgeListening: @escaping @Sendable (_ host: String, _ port: Int) -> Void = { _, _ in },
        onHTTPSListening: @escaping @Sendable (_ host: String, _ port: Int, _ certificateAuthority: URL) -> Void = { _, _, _ in }
    ) async throws -> some ApplicationProtocol {
        let routes = RouteTable()
        let https = try configuration.httpsPort.map { _ throws(RailyardError) in
            try EdgeHTTPS.make(configuration: configuration, routes: routes, logger: logger)
        }
        let dependencies = await AppDependencies(
            configuration: configuration, store: store, secret: secret, logger: logger, httpClient: httpClient,
            routes: routes, certificateStore: https?.certificates
        )
        let router = buildRouter(dependencies: dependencies)
        let webSockets = Router(context: BasicWebSocketRequestContext.self)
        EventsController(dependencies: dependencies).addUpgradeRoute(to: webSockets)
        let host = configuration.host
        var edgeConfiguration = configuration.edge
        let traffic = dependencies.traffic
        edgeConfiguration.accessLog = { traffic.record($0) }
        edgeConfiguration.accessLogBatch = { traffic.record(contentsOf: $0) }
        let deployer = dependencies.deployer
        edgeConfiguration.wake = { host in Task { await deployer.wake(host: host) } }
        if let https, let port = configuration.httpsPort {
            edgeConfiguration.tls = .init(host: host, port: port, certificates: https.certificates, redirectHTTP: configuration.httpsRedirect)
        }
        let edge = EdgeServer(
            host: configuration.host, port: configuration.edgePort, routes: dependencies.routes, logger: logger, configuration: edgeConfiguration
        )
        var announceHTTPS: (@Sendable (Int) -> Void)?
        if let certificateFile = https?.authority.certificateFile {
            announceHTTPS = { port in onHTTPSListening(host, port, certificateFile) }
        }
        let startup = EdgeStartup(edge: edge, dependencies: dependencies, host: host, onListening: onEdgeListening, https: announceHTTPS)
        return Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: webSockets),
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: configuration.port), serverName: nil
            ),
            services: [dependencies.events, edge, startup, dependencies.tcpProxies],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                dependencies.boundPort.set(port)
                onListening(host, port)
            },
            logger: logger
        )
    }
}

/// Once the edge listens: records its port, announces it, and brings back what was deployed before.
struct EdgeStartup: ServiceLifecycle.Service {
    let edge: EdgeServer
    let dependencies: AppDependencies
    let host: String
    let onListening: @Sendable (_ host: String, _ port: Int) -> Void
    /// Told the HTTPS port once bound, when HTTPS is on.
    let https: (@Sendable (_ port: Int) -> Void)?

    func run() async throws {
        let port = try await edge.waitUntilBound()
        dependencies.edgePort.set(port)
        let isolation = dependencies.deployer.driver.isolation
        let limits: String
        switch dependencies.deployer.cgroups {
        case .v1: limits = "cgroup v1: \(ResourceLimits.default.memoryDescription), \(ResourceLimits.default.cpuMillicores)m CPU, \(ResourceLimits.default.pids) pids per replica"
        case .v2: limits = "cgroup v2: \(ResourceLimits.default.memoryDescription), \(ResourceLimits.default.cpuMillicores)m CPU, \(ResourceLimits.default.pids) pids per replica"
        case nil: limits = "none (cgroups need root and a writable cgroupfs)"
        }
        let networks = dependencies.deployer.networks
        // Replicas may reach the edge's HTTPS port too (an app calling another by its public URL).
        let edgePorts = [port] + (edge.tlsPort.map { [$0] } ?? [])
        if let networks {
            do {
                try await networks.installFirewall(edgePorts: edgePorts)
            } catch {
                throw RailyardError(
                    .internal, "could not install the firewall that keeps replicas' networks apart: \(error); fix it, or start with --no-network-separation"
                )
            }
        }
        let network = networks == nil
            ? "host network: replicas can reach every port of the host (\(dependencies.deployer.networkProblem ?? ""))"
            : "a private network per replica; each project-environment reaches only itself, the edge and the outside"
        dependencies.logger.info(
            "railyard edge listening",
            metadata: [
                "http.address": "http://\(host):\(port)", "runtime.isolation": "\(isolation)", "runtime.limits": "\(limits)",
                "runtime.network": "\(network)",
            ]
        )
        onListening(host, port)
        if let https, let tlsPort = edge.tlsPort {
            dependencies.logger.info("railyard HTTPS edge listening", metadata: ["http.address": "https://\(host):\(tlsPort)"])
            https(tlsPort)
        }
        let flusher = Task { await dependencies.traffic.run() }
        let sleepAfter = dependencies.configuration.sleepAfter
        let sleeper = Task { await dependencies.deployer.runSleepChecks(after: sleepAfter, every: min(sleepAfter / 10, .seconds(10))) }
        let autoscaler = Task { await dependencies.deployer.runAutoscaling() }
        let backups = Task { await dependencies.deployer.runBackupSchedules() }
        let usage = Task { await dependencies.usage.run(every: dependencies.configuration.usageInterval) }
        let retention = Task {
            await dependencies.deployer.runLogRetention(age: dependencies.configuration.logRetention, maxBytes: dependencies.configuration.logMaxBytes)
        }
        await dependencies.deployer.recover()
        try? await gracefulShutdown()
        flusher.cancel()
        sleeper.cancel()
        autoscaler.cancel()
        backups.cancel()
        usage.cancel()
        retention.cancel()
        await networks?.closeEdge(ports: edgePorts)
    }
}
