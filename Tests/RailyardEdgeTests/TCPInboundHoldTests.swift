import NIOCore
import NIOEmbedded
import Testing

@testable import RailyardEdge

@Suite("TCP proxy: the client's hold before its replica is joined")
struct TCPInboundHoldTests {
    /// What reaches the handler after the hold (bytes and ends of input, in order) and how often the
    /// hold asked for a join.
    final class Recorder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        var seen: [String] = []
        var joins = 0

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            seen.append(String(buffer: unwrapInboundIn(data)))
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let event = event as? ChannelEvent, case .inputClosed = event { seen.append("EOF") }
        }
    }

    let channel = EmbeddedChannel()
    let recorder = Recorder()
    let hold: TCPInboundHold

    init() throws {
        let recorder = self.recorder
        hold = TCPInboundHold { _ in recorder.joins += 1 }
        try channel.pipeline.syncOperations.addHandlers([hold, recorder])
    }

    @Test("the join is asked for when the channel becomes active, not when the handler is added")
    func joinsOnActive() throws {
        #expect(recorder.joins == 0, "an accepted channel's initializer runs before NIO activates it")
        try channel.connect(to: SocketAddress(ipAddress: "192.0.2.9", port: 5432)).wait()
        #expect(recorder.joins == 1)
    }

    @Test("bytes and the end of input wait for release, then pass in order")
    func holdsUntilRelease() throws {
        try channel.connect(to: SocketAddress(ipAddress: "192.0.2.9", port: 5432)).wait()
        try channel.writeInbound(ByteBuffer(string: "early "))
        try channel.writeInbound(ByteBuffer(string: "bytes"))
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(recorder.seen.isEmpty)
        hold.release()
        #expect(recorder.seen == ["early ", "bytes", "EOF"])
        try channel.writeInbound(ByteBuffer(string: "late"))
        #expect(recorder.seen.last == "late")
    }
}
