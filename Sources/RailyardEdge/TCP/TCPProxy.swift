import Logging
import NIOCore
import NIOPosix

/// A public TCP port that forwards every connection, byte for byte, to one of a service's replicas:
/// how a database client outside reaches a database deployed on Railyard. Runs until `stop()`.
public final class TCPProxy: Sendable {
    /// Timeouts of a TCP proxy.
    public struct Configuration: Sendable {
        /// How long to wait for a replica to accept; after it (or a refusal) the next candidate is
        /// tried, and when none answers the client's connection is closed.
        public var connectTimeout: Duration = .seconds(5)
        /// How long a connection may carry no bytes either way before both sides are closed. Long,
        /// because database clients keep pooled connections open between queries.
        public var idleTimeout: Duration = .seconds(3600)

        /// The defaults: 5 s to connect, 1 h idle.
        public init() {}
    }

    /// The replicas to try for one new connection, in order (an empty list closes the client).
    public typealias Targets = @Sendable () async -> [Upstream]

    /// The port the proxy listens on (the chosen one when started with port 0).
    public let port: Int
    private let serverChannel: Channel
    private let connections: ConnectionRegistry

    private init(port: Int, serverChannel: Channel, connections: ConnectionRegistry) {
        self.port = port
        self.serverChannel = serverChannel
        self.connections = connections
    }

    /// Listens on `host:port` (0 = pick a free one) and forwards each accepted connection to the
    /// first of `targets()` that accepts. Throws a `TCPProxyError` when the port cannot be bound.
    public static func start(
        host: String, port: Int, configuration: Configuration = Configuration(), logger: Logger,
        eventLoopGroup: EventLoopGroup = MultiThreadedEventLoopGroup.singleton, targets: @escaping Targets
    ) async throws -> TCPProxy {
        let connections = ConnectionRegistry()
        let connectTimeout = TimeAmount(configuration.connectTimeout)
        let idleTimeout = TimeAmount(configuration.idleTimeout)
        let bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            // Nothing is read from the client until a replica is there to take it.
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.addHandler(TCPIdleCloser())
                    try channel.pipeline.syncOperations.addHandler(
                        TCPInboundHold { client in
                            forward(client, connectTimeout: connectTimeout, logger: logger, targets: targets)
                        }
                    )
                    connections.add(channel)
                }
            }
        let serverChannel: Channel
        do {
            serverChannel = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw TCPProxyError.bindFailed(host: host, port: port, error: error)
        }
        let bound = serverChannel.localAddress?.port ?? port
        logger.debug("tcp proxy listening", metadata: ["tcp.host": "\(host)", "tcp.port": "\(bound)"])
        return TCPProxy(port: bound, serverChannel: serverChannel, connections: connections)
    }

    /// Stops accepting (the port refuses connections from now on) and closes the open connections.
    public func stop() async {
        try? await serverChannel.close()
        connections.closeAll()
        await connections.waitUntilEmpty()
    }

    /// Connects `client` (active by now) to the first target that accepts, then pipes bytes both ways.
    private static func forward(_ client: Channel, connectTimeout: TimeAmount, logger: Logger, targets: @escaping Targets) {
        let loop = client.eventLoop
        loop.makeFutureWithTask { await targets() }
            .flatMap { candidates in
                connect(to: candidates[...], on: loop, timeout: connectTimeout)
            }
            .whenComplete { result in
                switch result {
                case .success(let upstream):
                    do {
                        let (clientGlue, upstreamGlue) = TCPGlueHandler.matchedPair()
                        try client.pipeline.syncOperations.addHandler(clientGlue)
                        try upstream.pipeline.syncOperations.addHandler(upstreamGlue)
                        guard client.isActive else { throw ChannelError.ioOnClosedChannel }
                        try client.pipeline.syncOperations.handler(type: TCPInboundHold.self).release()
                        // Reading starts once both ends are joined; the glue then paces it.
                        for channel in [client, upstream] {
                            channel.setOption(.autoRead, value: true).whenFailure { _ in channel.close(promise: nil) }
                        }
                    } catch {
                        upstream.close(promise: nil)
                        client.close(promise: nil)
                    }
                case .failure(let error):
                    logger.debug("tcp proxy found no replica answering", metadata: ["error": "\(error)"])
                    client.close(promise: nil)
                }
            }
    }

    /// Tries each candidate in turn on `loop` (the client's, so the two channels share a thread).
    private static func connect(to candidates: ArraySlice<Upstream>, on loop: EventLoop, timeout: TimeAmount) -> EventLoopFuture<Channel> {
        guard let first = candidates.first else { return loop.makeFailedFuture(TCPProxyError.noReplica) }
        return ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelOption(.autoRead, value: false)
            .connect(host: first.host, port: first.port)
            .flatMapError { _ in connect(to: candidates.dropFirst(), on: loop, timeout: timeout) }
    }
}
