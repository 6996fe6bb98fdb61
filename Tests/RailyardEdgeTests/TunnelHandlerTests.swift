import NIOCore
import NIOEmbedded
import Testing

@testable import RailyardEdge

/// Counts the reads a channel's handlers ask for.
final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = Any
    var reads = 0

    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }
}

@Suite("Tunnel handler pair")
struct TunnelHandlerTests {
    let client = EmbeddedChannel()
    let upstream = EmbeddedChannel()
    let clientReads = ReadCounter()
    let upstreamReads = ReadCounter()

    init() throws {
        let (clientEnd, upstreamEnd) = TunnelHandler.pair()
        try client.pipeline.syncOperations.addHandlers([clientReads, clientEnd])
        try upstream.pipeline.syncOperations.addHandlers([upstreamReads, upstreamEnd])
        try client.connect(to: SocketAddress(ipAddress: "192.0.2.1", port: 1)).wait()
        try upstream.connect(to: SocketAddress(ipAddress: "192.0.2.2", port: 2)).wait()
    }

    @Test("bytes cross untouched in both directions")
    func copies() throws {
        try client.writeInbound(ByteBuffer(string: "from client"))
        #expect(try upstream.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "from client"))
        try upstream.writeInbound(ByteBuffer(string: "from app"))
        #expect(try client.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "from app"))
    }

    @Test("one side reads only while the other side can write")
    func backPressure() {
        let before = upstreamReads.reads
        client.isWritable = false
        client.pipeline.fireChannelWritabilityChanged()
        upstream.read()
        #expect(upstreamReads.reads == before, "the app's side must wait while the client is full")
        client.isWritable = true
        client.pipeline.fireChannelWritabilityChanged()
        #expect(upstreamReads.reads == before + 1, "the held read goes out once the client drains")
        upstream.read()
        #expect(upstreamReads.reads == before + 2)
    }

    @Test("a close on either side closes the other")
    func closes() throws {
        try client.close().wait()
        #expect(!upstream.isActive)
    }

    @Test("an idle event closes the tunnel")
    func idle() throws {
        client.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.all)
        #expect(!client.isActive)
        #expect(!upstream.isActive)
    }

    @Test("a graceful shutdown closes the tunnel")
    func quiesce() throws {
        client.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(!client.isActive)
        #expect(!upstream.isActive)
    }
}
