import NIOCore
import NIOPosix
import Synchronization

/// A raw TCP server on 127.0.0.1 for the TCP proxy tests. `echo` sends back what it reads and closes
/// once the client's input ends; `send(n)` writes n pattern bytes and closes; `closeAtOnce` accepts
/// and closes; `silent` accepts and waits.
final class TCPTestServer: Sendable {
    enum Behaviour: Sendable {
        case echo
        case send(Int)
        case closeAtOnce
        case silent
    }

    /// Counters the tests read.
    final class Stats: Sendable {
        let accepted = Atomic<Int>(0)
        let closed = Atomic<Int>(0)
    }

    let port: Int
    let stats: Stats
    private let channel: Channel

    private init(channel: Channel, stats: Stats) {
        self.channel = channel
        self.stats = stats
        self.port = channel.localAddress!.port!
    }

    static func start(_ behaviour: Behaviour) async throws -> TCPTestServer {
        let stats = Stats()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                stats.accepted.add(1, ordering: .relaxed)
                channel.closeFuture.whenComplete { _ in stats.closed.add(1, ordering: .relaxed) }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(TCPTestHandler(behaviour: behaviour))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TCPTestServer(channel: channel, stats: stats)
    }

    func stop() async {
        try? await channel.close()
    }
}

private final class TCPTestHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let behaviour: TCPTestServer.Behaviour

    init(behaviour: TCPTestServer.Behaviour) { self.behaviour = behaviour }

    func channelActive(context: ChannelHandlerContext) {
        switch behaviour {
        case .send(let count):
            var offset = 0
            while offset < count {
                let size = min(64 * 1024, count - offset)
                context.write(wrapOutboundOut(TestUpstream.pattern(offset: offset, count: size)), promise: nil)
                offset += size
            }
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).whenComplete { _ in
                context.close(promise: nil)
            }
        case .closeAtOnce:
            context.close(promise: nil)
        case .echo, .silent:
            break
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .echo = behaviour else { return }
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, case .inputClosed = event {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }
}
