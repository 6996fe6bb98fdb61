import Logging
import RailyardCore
import RailyardEdge
import RailyardStore
import ServiceLifecycle

/// The TCP proxies this server listens for: each stored proxy's public port forwards to its
/// service's replicas. Starts every stored one when run, adds and removes them at runtime, and stops
/// them all at shutdown.
actor TCPProxies: ServiceLifecycle.Service {
    private let store: any Store
    private let routes: RouteTable
    /// The address the public ports are bound on (the server's `--host`).
    private let bindHost: String
    /// The host clients are told to connect to.
    let domain: String
    /// The server's `--tcp-proxy-ports`.
    let publicPorts: ClosedRange<Int>
    private let configuration: TCPProxy.Configuration
    private let logger: Logger
    private var running: [String: (record: ServiceTCPProxy, listener: TCPProxy)] = [:]

    init(
        store: any Store, routes: RouteTable, bindHost: String, domain: String, publicPorts: ClosedRange<Int>, logger: Logger,
        configuration: TCPProxy.Configuration = TCPProxy.Configuration()
    ) {
        self.store = store
        self.routes = routes
        self.bindHost = bindHost
        self.domain = domain
        self.publicPorts = publicPorts
        self.configuration = configuration
        self.logger = logger
    }

    /// Listens for every stored proxy, then stops them all at graceful shutdown.
    func run() async throws {
        do {
            for proxy in try await store.allTCPProxies() {
                do {
                    try await listen(proxy)
                } catch {
                    logger.error(
                        "tcp proxy could not listen", metadata: ["tcp.port": "\(proxy.publicPort)", "service.id": "\(proxy.serviceId)", "error": "\(error)"]
                    )
                }
            }
        } catch {
            logger.error("tcp proxies could not be read", metadata: ["error": "\(String(reflecting: error))"])
        }
        try? await gracefulShutdown()
        await stop { _ in true }
    }

    /// Exposes `targetPort` of a service in an environment on the lowest free public port and listens
    /// on it now; when the port cannot be bound nothing is kept and the error says so.
    func add(targetPort: Int, environment: RailyardCore.Environment, service: RailyardCore.Service) async throws -> ServiceTCPProxy {
        try ServiceTCPProxy.validate(targetPort: targetPort)
        let proxy = try await store.createTCPProxy(
            serviceId: service.id, environmentId: environment.id, targetPort: targetPort, publicPorts: publicPorts
        )
        do {
            try await listen(proxy)
        } catch {
            _ = try? await store.deleteTCPProxy(id: proxy.id)
            throw RailyardError(
                .conflict,
                "public port \(proxy.publicPort) cannot be opened on this server (\(error)); another process may be using it: free it, or ask the operator to change --tcp-proxy-ports",
                field: "targetPort"
            )
        }
        logger.info("tcp proxy added", metadata: ["service.id": "\(service.id)", "tcp.port": "\(proxy.publicPort)", "tcp.target_port": "\(targetPort)"])
        return published(proxy)
    }

    /// Forgets a proxy and closes its port (open connections through it are closed too).
    func remove(_ proxy: ServiceTCPProxy) async throws {
        guard try await store.deleteTCPProxy(id: proxy.id) else { throw RailyardError.notFound("TCP proxy \(proxy.id)") }
        await stop { $0.id == proxy.id }
        logger.info("tcp proxy removed", metadata: ["service.id": "\(proxy.serviceId)", "tcp.port": "\(proxy.publicPort)"])
    }

    /// Closes the ports of the proxies `matching` selects (their service, environment or project was
    /// deleted, or the server is stopping).
    func stop(matching: @Sendable (ServiceTCPProxy) -> Bool) async {
        let stopping = running.values.filter { matching($0.record) }
        for proxy in stopping {
            running[proxy.record.id] = nil
            await proxy.listener.stop()
        }
    }

    /// The proxy as the API shows it: with the host clients connect to.
    nonisolated func published(_ proxy: ServiceTCPProxy) -> ServiceTCPProxy {
        var proxy = proxy
        proxy.domain = domain
        return proxy
    }

    private func listen(_ proxy: ServiceTCPProxy) async throws {
        let targets = TCPProxyTargets(proxy: proxy, store: store, routes: routes)
        let listener = try await TCPProxy.start(
            host: bindHost, port: proxy.publicPort, configuration: configuration, logger: logger, targets: { await targets() }
        )
        running[proxy.id] = (proxy, listener)
    }
}
