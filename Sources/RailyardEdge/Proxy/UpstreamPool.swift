import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Keep-alive connections from the edge to replicas, per replica and per event loop. A client
/// connection only ever uses upstream connections on its own loop, so each loop's share
/// (`LoopPool`) is touched by that loop alone: a request takes and returns a connection without a
/// lock or a hop between threads.
final class UpstreamPool: Sendable {
    /// A pooled connection, handed to one exchange at a time. Use it on `channel.eventLoop` only.
    /// One object per connection for its whole life: leasing it again allocates nothing, and
    /// passing it around retains one reference, not four.
    final class Lease {
        let channel: Channel
        let handler: UpstreamHandler
        /// The byte-level side of the connection, for the fast path.
        let tap: UpstreamTap
        /// True when the connection already served a request (it may have been closed meanwhile).
        fileprivate(set) var reused = false
        /// Where it goes back to: its replica's idle list on its loop.
        fileprivate var bucket: LoopPool.Bucket

        fileprivate init(channel: Channel, handler: UpstreamHandler, tap: UpstreamTap, bucket: LoopPool.Bucket) {
            self.channel = channel
            self.handler = handler
            self.tap = tap
            self.bucket = bucket
        }
    }

    /// A connection now, or one being opened.
    enum Acquisition {
        case ready(Lease)
        case connecting(EventLoopFuture<Lease>.Isolated)
    }

    private struct LoopEntry: Sendable {
        let loop: EventLoop
        let pool: NIOLoopBound<LoopPool>
    }

    /// Each loop's pool, made the first time a client connection on that loop asks (once per
    /// connection, not per request). The entry keeps its loop alive, so identifiers are not reused.
    private let loops = Mutex<[ObjectIdentifier: LoopEntry]>([:])
    private let connectTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private let maxIdlePerUpstream: Int

    init(connectTimeout: TimeAmount, idleTimeout: TimeAmount, maxIdlePerUpstream: Int) {
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.maxIdlePerUpstream = maxIdlePerUpstream
    }

    /// The share of the pool that belongs to `loop`. Must be called on `loop`, and the result used
    /// only there.
    func onLoop(_ loop: EventLoop) -> LoopPool {
        let id = ObjectIdentifier(loop)
        let entry = loops.withLock { loops -> LoopEntry in
            if let entry = loops[id], entry.loop === loop { return entry }
            let pool = LoopPool(
                loop: loop, connectTimeout: connectTimeout, idleTimeout: idleTimeout, maxIdlePerUpstream: maxIdlePerUpstream
            )
            let entry = LoopEntry(loop: loop, pool: NIOLoopBound(pool, eventLoop: loop))
            loops[id] = entry
            return entry
        }
        return entry.pool.value
    }

    /// Closes every idle connection and stops keeping new ones (each loop's share on its loop).
    func shutdown() {
        let entries = loops.withLock { Array($0.values) }
        for entry in entries {
            let pool = entry.pool
            entry.loop.execute { pool.value.closeAll() }
        }
    }

    fileprivate static let encoderConfiguration: HTTPRequestEncoder.Configuration = {
        var configuration = HTTPRequestEncoder.Configuration()
        // ProxyHeaders frames every request explicitly.
        configuration.automaticallySetFramingHeaders = false
        return configuration
    }()
}

extension UpstreamPool {
    /// One event loop's idle connections, by replica. Not thread-safe: only its loop touches it.
    final class LoopPool {
        /// One replica's idle connections on this loop, most recently parked last.
        final class Bucket {
            let upstream: Upstream
            var idle: [Lease] = []
            /// False once the bucket left the table (emptied and pruned): a lease returning here
            /// looks its replica up again.
            var inTable = true

            init(upstream: Upstream) {
                self.upstream = upstream
            }
        }

        private let loop: EventLoop
        private let connectTimeout: TimeAmount
        private let idleTimeout: TimeAmount
        private let maxIdlePerUpstream: Int
        private var shutDown = false
        private var buckets: [Upstream: Bucket] = [:]
        /// The bucket of the last replica asked for: consecutive requests for one replica (the usual
        /// case) find it with an equality test instead of a hash.
        private var last: Bucket?

        fileprivate init(loop: EventLoop, connectTimeout: TimeAmount, idleTimeout: TimeAmount, maxIdlePerUpstream: Int) {
            self.loop = loop
            self.connectTimeout = connectTimeout
            self.idleTimeout = idleTimeout
            self.maxIdlePerUpstream = maxIdlePerUpstream
        }

        /// A connection to `upstream`: an idle one when there is one (unless `fresh`), else a new
        /// one whose future completes on this loop.
        func acquire(_ upstream: Upstream, fresh: Bool = false) -> Acquisition {
            let bucket = self.bucket(for: upstream)
            if !fresh {
                while let idle = bucket.idle.popLast() {
                    guard idle.channel.isActive else { continue }
                    idle.reused = true
                    idle.bucket = bucket
                    return .ready(idle)
                }
            }
            return .connecting(connect(bucket).assumeIsolated().flatMapThrowing { channel in
                let handler = try channel.pipeline.syncOperations.handler(type: UpstreamHandler.self)
                let tap = try channel.pipeline.syncOperations.handler(type: UpstreamTap.self)
                return Lease(channel: channel, handler: handler, tap: tap, bucket: bucket)
            })
        }

        /// Puts a connection whose exchange ended cleanly back for reuse, or closes it when its
        /// replica's list is full or the pool is shut down.
        func release(_ lease: Lease) {
            let channel = lease.channel
            lease.tap.detach()
            guard channel.isActive else { return }
            let bucket = lease.bucket.inTable ? lease.bucket : self.bucket(for: lease.bucket.upstream)
            guard !shutDown, bucket.idle.count < maxIdlePerUpstream else {
                lease.handler.detach()
                channel.close(promise: nil)
                return
            }
            bucket.idle.append(lease)
            lease.handler.park(idleTimeout: idleTimeout)
        }

        /// How many connections are idle on this loop, for tests and diagnostics.
        var idleCount: Int {
            buckets.values.reduce(0) { $0 + $1.idle.count }
        }

        fileprivate func closeAll() {
            shutDown = true
            let idle = buckets.values.flatMap(\.idle)
            for bucket in buckets.values {
                bucket.inTable = false
                bucket.idle = []  // a lease and its bucket refer to each other
            }
            buckets = [:]
            last = nil
            for connection in idle { connection.channel.close(promise: nil) }
        }

        private func bucket(for upstream: Upstream) -> Bucket {
            if let last, last.upstream == upstream { return last }
            let bucket: Bucket
            if let known = buckets[upstream] {
                bucket = known
            } else {
                pruneEmptyBuckets()
                bucket = Bucket(upstream: upstream)
                buckets[upstream] = bucket
            }
            last = bucket
            return bucket
        }

        /// Replicas come and go with releases: forget those with nothing idle once there are many.
        private func pruneEmptyBuckets() {
            guard buckets.count >= 64 else { return }
            for (upstream, bucket) in buckets where bucket.idle.isEmpty {
                bucket.inTable = false
                buckets[upstream] = nil
            }
            if let last, !last.inTable { self.last = nil }
        }

        /// Drops a connection that closed from its replica's idle list, if it idles there.
        private func forget(_ channel: Channel, upstream: Upstream) {
            guard let bucket = buckets[upstream],
                let index = bucket.idle.firstIndex(where: { $0.channel === channel })
            else { return }
            bucket.idle.remove(at: index)
        }

        private func connect(_ bucket: Bucket) -> EventLoopFuture<Channel> {
            let encoder = UpstreamPool.encoderConfiguration
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
                            UpstreamTap(),
                            HTTPRequestEncoder(configuration: encoder),
                            ByteToMessageHandler(decoder),
                            UpstreamHandler(),
                        ])
                    }
                }
            let upstream = bucket.upstream
            let connected: EventLoopFuture<Channel>
            if let address = try? SocketAddress(ipAddress: upstream.host, port: upstream.port) {
                connected = bootstrap.connect(to: address)
            } else {
                connected = bootstrap.connect(host: upstream.host, port: upstream.port)
            }
            let pool = NIOLoopBound(self, eventLoop: loop)
            return connected.map { channel in
                channel.closeFuture.whenComplete { _ in pool.value.forget(channel, upstream: upstream) }
                return channel
            }
        }
    }
}

@available(*, unavailable)
extension UpstreamPool.LoopPool: Sendable {}
