import RailyardCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// The edge server: the HTTP/1.1 reverse proxy every app's traffic crosses, as a
/// swift-service-lifecycle `Service`. It routes each request by its Host header through a
/// `RouteTable` to a replica, a static release on disk, or one of its own pages.
public final class EdgeServer: ServiceLifecycle.Service {
    /// Timeouts and limits of the edge; the defaults suit a single box.
    public struct Configuration: Sendable {
        /// How long to wait for a replica to accept a connection before answering 504.
        public var connectTimeout: Duration = .seconds(5)
        /// How long a keep-alive connection to a replica may sit unused before the edge closes it.
        /// Kept below the 5 s most app servers (Node, uvicorn) use, so the app rarely closes a
        /// connection just as the edge reuses it.
        public var upstreamIdleTimeout: Duration = .seconds(4)
        /// How long a client connection may stay open with no request in progress and no traffic.
        public var clientIdleTimeout: Duration = .seconds(75)
        /// How long a client has to send a whole request head, from the connection's start or, on a
        /// keep-alive connection, from the next request's first byte (slowloris). A body may take
        /// as long as it needs.
        public var requestHeadTimeout: Duration = .seconds(10)
        /// The largest request body passed to an app, in bytes: a bigger declared `Content-Length`
        /// gets a 413 without the app hearing of it; a chunked body that grows past it is cut off.
        public var maxRequestBodySize = 100 << 20
        /// How long an upgraded (WebSocket) connection may carry no bytes either way before the edge
        /// closes both sides. Longer than the client idle timeout: a quiet socket is normal, and
        /// WebSocket libraries ping every 20–60 s.
        public var tunnelIdleTimeout: Duration = .seconds(300)
        /// How long a request for a sleeping service is held while it wakes before it gets a 503.
        public var wakeTimeout: Duration = .seconds(60)
        /// Told (on an event loop: hand over, never block) of each request held for a sleeping
        /// host, with the host as routed: the server wakes the service.
        public var wake: (@Sendable (String) -> Void)? = nil
        /// Idle keep-alive connections kept per replica and event loop.
        public var maxIdleConnectionsPerUpstream = 512
        /// Told of every request to a known host once it is answered (access logs, counters). Runs
        /// on the connection's event loop: it must only hand the record over, never block.
        public var accessLog: (@Sendable (AccessRecord) -> Void)? = nil
        /// Told of answered requests in batches, when set: the epoll engine gathers each worker's
        /// records over a round of events and makes one call for them instead of one per request
        /// (`accessLog` is then not told of those). Runs on the worker's thread: hand over only.
        public var accessLogBatch: (@Sendable ([AccessRecord]) -> Void)? = nil
        /// An HTTPS listener beside the plain one, when set.
        public var tls: TLS? = nil
        /// Whether the plain listener is the epoll engine (Linux): simple requests served on raw
        /// sockets by one thread per event loop, every other connection handed to NIO's pipeline.
        /// False keeps every connection on NIO (the only path elsewhere).
        public var epollEngine = true

        /// The defaults.
        public init() {}
    }

    /// The HTTPS listener: where it binds and the certificates it presents by server name.
    public struct TLS: Sendable {
        /// The address to bind.
        public var host: String
        /// The port to bind; 0 picks a free one.
        public var port: Int
        /// The certificates, by server name; changes apply to the next handshake.
        public var certificates: TLSCertificateStore
        /// Whether plain HTTP requests for hosts with a certificate get a 308 to HTTPS.
        public var redirectHTTP: Bool

        /// An HTTPS listener on `host:port` presenting `certificates`.
        public init(host: String, port: Int, certificates: TLSCertificateStore, redirectHTTP: Bool = false) {
            self.host = host
            self.port = port
            self.certificates = certificates
            self.redirectHTTP = redirectHTTP
        }
    }

    private enum Binding {
        case waiting([Int: CheckedContinuation<Int, Error>])
        case bound(Int)
        case failed(EdgeError)
    }

    private struct State {
        var binding = Binding.waiting([:])
        var nextWaiter = 0
        var started = false
        var tlsPort: Int?
    }

    private let host: String
    private let port: Int
    private let routes: RouteTable
    private let logger: Logger
    private let configuration: Configuration
    private let group: EventLoopGroup
    private let state = Mutex(State())

    /// An edge that will listen on `host:port` (port 0 = pick a free one) and route with `routes`.
    public convenience init(host: String, port: Int, routes: RouteTable, logger: Logger) {
        self.init(host: host, port: port, routes: routes, logger: logger, configuration: Configuration())
    }

    /// An edge with explicit timeouts and limits, on `eventLoopGroup` (the shared NIO singleton by
    /// default; its thread count is the edge's worker count).
    public init(
        host: String,
        port: Int,
        routes: RouteTable,
        logger: Logger,
        configuration: Configuration,
        eventLoopGroup: EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.host = host
        self.port = port
        self.routes = routes
        self.logger = logger
        self.configuration = configuration
        self.group = eventLoopGroup
    }

    /// Binds, then serves until the task is cancelled (connections are cut) or a graceful shutdown
    /// (requests in flight finish, then their connections close).
    public func run() async throws {
        try state.withLock { state in
            guard !state.started else { throw EdgeError.alreadyRunning }
            state.started = true
        }
        let pool = UpstreamPool(
            connectTimeout: TimeAmount(configuration.connectTimeout),
            idleTimeout: TimeAmount(configuration.upstreamIdleTimeout),
            maxIdlePerUpstream: configuration.maxIdleConnectionsPerUpstream
        )
        defer { pool.shutdown() }
        let registry = ConnectionRegistry()
        let environment = EdgeEnvironment(
            routes: routes,
            pool: pool,
            files: StaticFileResolver(),
            threadPool: .singleton,
            logger: logger,
            maxRequestBodySize: configuration.maxRequestBodySize,
            tunnelIdleTimeout: TimeAmount(configuration.tunnelIdleTimeout),
            accessLog: configuration.accessLog,
            accessLogBatch: configuration.accessLogBatch,
            wake: configuration.wake,
            wakeTimeout: TimeAmount(configuration.wakeTimeout)
        )

        let listeners: Listeners
        do {
            listeners = try await bindListeners(environment: environment, registry: registry)
        } catch {
            finishBinding(.failure(error))
            throw error
        }
        let boundPort = listeners.plainPort
        logger.info("edge listening", metadata: ["edge.host": "\(host)", "edge.port": "\(boundPort)"])
        finishBinding(.success(boundPort))

        let logger = self.logger
        let channels = listeners.channels
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                for channel in channels { try? await channel.closeFuture.get() }
                await listeners.waitForEngine()
                await registry.waitUntilEmpty()
            } onGracefulShutdown: {
                logger.info("edge draining", metadata: ["edge.connections": "\(registry.count)"])
                for channel in channels { channel.close(promise: nil) }
                listeners.quiesceEngine()
                registry.quiesce()
            }
        } onCancel: {
            for channel in channels { channel.close(promise: nil) }
            listeners.stopEngine()
            registry.closeAll()
        }
        logger.info("edge stopped")
    }

    /// What serves the edge's ports: NIO channels and, on Linux, the epoll engine.
    private struct Listeners: Sendable {
        var channels: [Channel] = []
        var plainPort = 0
        #if os(Linux)
        var engine: EpollEngine?
        #endif

        func waitForEngine() async {
            #if os(Linux)
            await engine?.waitUntilStopped()
            #endif
        }

        func quiesceEngine() {
            #if os(Linux)
            engine?.quiesce()
            #endif
        }

        func stopEngine() {
            #if os(Linux)
            engine?.stop()
            #endif
        }
    }

    /// Binds the plain listener and, when configured, the HTTPS one; on a failure closes what was
    /// bound.
    private func bindListeners(environment: EdgeEnvironment, registry: ConnectionRegistry) async throws(EdgeError) -> Listeners {
        var plain = environment
        var listeners = Listeners()
        if let tls = configuration.tls {
            let secure: Channel
            do {
                let context = try tls.certificates.makeContext(threadPool: environment.threadPool)
                var environment = environment
                environment.secure = true
                secure = try await Self.bootstrap(
                    group: group, environment: environment, registry: registry, configuration: configuration, tls: context
                ).bind(host: tls.host, port: tls.port).get()
            } catch {
                throw EdgeError.bindFailed(host: tls.host, port: tls.port, error: error, flag: "--https-port")
            }
            let securePort = secure.localAddress?.port ?? tls.port
            state.withLock { $0.tlsPort = securePort }
            logger.info("edge listening for HTTPS", metadata: ["edge.host": "\(tls.host)", "edge.port": "\(securePort)"])
            if tls.redirectHTTP { plain.httpsRedirect = HTTPSRedirect(certificates: tls.certificates, port: securePort) }
            listeners.channels.append(secure)
        }
        do {
            #if os(Linux)
            if configuration.epollEngine {
                let engine = try startEngine(environment: plain, registry: registry)
                listeners.engine = engine
                listeners.plainPort = engine.port
                return listeners
            }
            #endif
            let channel = try await Self.bootstrap(group: group, environment: plain, registry: registry, configuration: configuration)
                .bind(host: host, port: port).get()
            listeners.channels.insert(channel, at: 0)
            listeners.plainPort = channel.localAddress?.port ?? port
            return listeners
        } catch {
            for channel in listeners.channels { channel.close(promise: nil) }
            throw EdgeError.bindFailed(host: host, port: port, error: error)
        }
    }

    #if os(Linux)
    /// Starts the epoll engine on the plain port, one worker per event loop of the group; the
    /// connections it gives up join NIO's pipeline on the group, tracked by `registry`.
    private func startEngine(environment: EdgeEnvironment, registry: ConnectionRegistry) throws -> EpollEngine {
        let group = self.group
        let configuration = self.configuration
        let logger = self.logger
        let nanoseconds = { (duration: Duration) in UInt64(max(1, TimeAmount(duration).nanoseconds)) }
        let settings = EpollWorker.Settings(
            headTimeout: nanoseconds(configuration.requestHeadTimeout),
            idleTimeout: nanoseconds(configuration.clientIdleTimeout),
            connectTimeout: nanoseconds(configuration.connectTimeout),
            upstreamIdleTimeout: nanoseconds(configuration.upstreamIdleTimeout),
            maxIdlePerUpstream: configuration.maxIdleConnectionsPerUpstream
        )
        return try EpollEngine(
            host: host, port: port, workers: Array(group.makeIterator()).count, environment: environment, settings: settings
        ) { fd, bytes in
            ClientBootstrap(group: group)
                .channelOption(.autoRead, value: false)
                .channelOption(.maxMessagesPerRead, value: 16)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try Self.configureClientPipeline(channel, environment: environment, configuration: configuration)
                    }
                }
                .withConnectedSocket(fd)
                .whenComplete { result in
                    switch result {
                    case .success(let channel):
                        // What the engine read is the start of the connection's stream. Tracked
                        // once its request is in: a shutdown that began meanwhile lets it finish.
                        channel.pipeline.fireChannelRead(bytes)
                        channel.pipeline.fireChannelReadComplete()
                        registry.add(channel, whileDraining: .quiesce)
                        channel.setOption(.autoRead, value: true).whenFailure { _ in channel.close(promise: nil) }
                    case .failure(let error):
                        logger.debug("could not hand a connection to NIO", metadata: ["error": "\(error)"])
                    }
                }
        }
    }
    #endif

    /// The port of the HTTPS listener once `waitUntilBound()` has returned; nil without TLS.
    public var tlsPort: Int? { state.withLock { $0.tlsPort } }

    /// The port the edge listens on, once it does (the chosen one when configured with port 0).
    /// Throws when binding failed or the waiting task is cancelled.
    public func waitUntilBound() async throws -> Int {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let immediate = state.withLock { state -> Result<Int, Error>? in
                    switch state.binding {
                    case .bound(let port):
                        return .success(port)
                    case .failed(let error):
                        return .failure(error)
                    case .waiting(var waiters):
                        if Task.isCancelled { return .failure(CancellationError()) }
                        waiters[id] = continuation
                        state.binding = .waiting(waiters)
                        return nil
                    }
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Int, Error>? in
                guard case .waiting(var waiters) = state.binding, let waiter = waiters.removeValue(forKey: id) else {
                    return nil
                }
                state.binding = .waiting(waiters)
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    private func finishBinding(_ result: Result<Int, EdgeError>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int, Error>] in
            guard case .waiting(let waiters) = state.binding else { return [] }
            switch result {
            case .success(let port): state.binding = .bound(port)
            case .failure(let error): state.binding = .failed(error)
            }
            return Array(waiters.values)
        }
        for waiter in waiters {
            waiter.resume(with: result.mapError { $0 as Error })
        }
    }

    private static func bootstrap(
        group: EventLoopGroup,
        environment: EdgeEnvironment,
        registry: ConnectionRegistry,
        configuration: Configuration,
        tls: NIOSSLContext? = nil
    ) -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try configureClientPipeline(channel, environment: environment, configuration: configuration, tls: tls)
                    registry.add(channel)
                }
            }
    }

    /// The handlers of a client connection, in order: TLS (on the HTTPS listener), head and idle
    /// timers, the fast path — which adds NIO's HTTP codec and the connection handler behind itself
    /// when a request first needs them. Shared with the embedded-channel tests.
    static func configureClientPipeline(
        _ channel: Channel, environment: EdgeEnvironment, configuration: Configuration, tls: NIOSSLContext? = nil
    ) throws {
        let pipeline = channel.pipeline.syncOperations
        // The timers see the bytes of HTTP, so they go after TLS; a handshake that never ends is a
        // head that never comes.
        if let tls { try pipeline.addHandler(NIOSSLServerHandler(context: tls)) }
        let timeouts = ClientTimeoutHandler(
            headTimeout: TimeAmount(configuration.requestHeadTimeout),
            idleTimeout: TimeAmount(configuration.clientIdleTimeout)
        )
        try pipeline.addHandler(timeouts)
        try pipeline.addHandler(EdgeFastPath(environment: environment, timeouts: timeouts))
    }
}
