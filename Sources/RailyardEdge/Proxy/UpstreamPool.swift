import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Keep-alive connections from the edge to replicas, per replica and per event loop (a client
/// connection only ever uses upstream connections on its own loop, so no hop between threads).
final class UpstreamPool: Sendable {
    /// A connection handed to one exchange. Use it on `channel.eventLoop` only.
    struct Lease {
        let channel: Channel
        let handler: UpstreamHandler
        /// True when the connection already served a request (it may have been closed meanwhile).
        let reused: Bool
    }

    private struct Key: Hashable {
        let upstream: Upstream
        let loop: ObjectIdentifier
    }

    private struct Idle: Sendable {
        let channel: Channel
        let handler: NIOLoopBound<UpstreamHandler>
    }

    private struct State {
        var idle: [Key: [Idle]] = [:]
        var shutDown = false
    }

    private let state = Mutex(State())
    private let connectTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private let maxIdlePerUpstream: Int

    init(connectTimeout: TimeAmount, idleTimeout: TimeAmount, maxIdlePerUpstream: Int) {
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.maxIdlePerUpstream = maxIdlePerUpstream
    }

    /// A connection to `upstream` on `loop`: an idle one when there is one (unless `fresh`), else a
    /// new one. Must be called on `loop`; the future completes there.
    func acquire(_ upstream: Upstream, on loop: EventLoop, fresh: Bool = false) -> EventLoopFuture<Lease>.Isolated {
        let key = Key(upstream: upstream, loop: ObjectIdentifier(loop))
        if !fresh {
            while let idle = popIdle(key) {
                guard idle.channel.isActive else { continue }
                let lease = Lease(channel: idle.channel, handler: idle.handler.value, reused: true)
                return loop.assumeIsolated().makeSucceededFuture(lease).assumeIsolated()
            }
        }
        return connect(upstream, key: key, on: loop).assumeIsolated().flatMapThrowing { channel in
            let handler = try channel.pipeline.syncOperations.handler(type: UpstreamHandler.self)
            return Lease(channel: channel, handler: handler, reused: false)
        }
    }

    /// Puts a connection whose exchange ended cleanly back for reuse, or closes it when the pool is
    /// full or shut down. Must be called on the connection's loop.
    func release(_ lease: Lease, upstream: Upstream) {
        let channel = lease.channel
        guard channel.isActive else { return }
        let key = Key(upstream: upstream, loop: ObjectIdentifier(channel.eventLoop))
        let idle = Idle(channel: channel, handler: NIOLoopBound(lease.handler, eventLoop: channel.eventLoop))
        let kept = state.withLock { state -> Bool in
            guard !state.shutDown, state.idle[key, default: []].count < maxIdlePerUpstream else { return false }
            state.idle[key, default: []].append(idle)
            return true
        }
        if kept {
            lease.handler.park(idleTimeout: idleTimeout)
        } else {
            lease.handler.detach()
            channel.close(promise: nil)
        }
    }

    /// Closes every idle connection and stops keeping new ones.
    func shutdown() {
        let idle = state.withLock { state -> [Idle] in
            state.shutDown = true
            defer { state.idle = [:] }
            return state.idle.values.flatMap { $0 }
        }
        for connection in idle {
            connection.channel.close(promise: nil)
        }
    }

    /// How many connections are idle in the pool, for tests and diagnostics.
    var idleCount: Int {
        state.withLock { $0.idle.values.reduce(0) { $0 + $1.count } }
    }

    private func popIdle(_ key: Key) -> Idle? {
        state.withLock { state in
            guard var list = state.idle[key], let last = list.popLast() else { return nil }
            state.idle[key] = list.isEmpty ? nil : list
            return last
        }
    }

    private static let encoderConfiguration: HTTPRequestEncoder.Configuration = {
        var configuration = HTTPRequestEncoder.Configuration()
        configuration.automaticallySetFramingHeaders = false
        return configuration
    }()

    private func forget(_ channel: Channel, key: Key) {
        let id = ObjectIdentifier(channel)
        state.withLock { state in
            guard let list = state.idle[key], list.contains(where: { ObjectIdentifier($0.channel) == id }) else { return }
            let rest = list.filter { ObjectIdentifier($0.channel) != id }
            state.idle[key] = rest.isEmpty ? nil : rest
        }
    }

    private func connect(_ upstream: Upstream, key: Key, on loop: EventLoop) -> EventLoopFuture<Channel> {
        // ProxyHeaders frames every request explicitly.
        let encoder = Self.encoderConfiguration
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Bytes after a 101 stay in the decoder; when a tunnel removes it they go on to the
                    // client. (A 101 is the only way to leave bytes behind: the connection is never
                    // pooled after one, and a closed channel drops them.)
                    let decoder = HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes, informationalResponseStrategy: .forward)
                    try channel.pipeline.syncOperations.addHandlers([
                        HTTPRequestEncoder(configuration: encoder),
                        ByteToMessageHandler(decoder),
                        UpstreamHandler(),
                    ])
                }
            }
        let connected: EventLoopFuture<Channel>
        if let address = try? SocketAddress(ipAddress: upstream.host, port: upstream.port) {
            connected = bootstrap.connect(to: address)
        } else {
            connected = bootstrap.connect(host: upstream.host, port: upstream.port)
        }
        return connected.map { channel in
            channel.closeFuture.whenComplete { [weak self] _ in self?.forget(channel, key: key) }
            return channel
        }
    }
}
