import NIOCore

/// What an upstream connection tells the fast path while it carries one of its requests as bytes.
protocol UpstreamTapDelegate: AnyObject {
    func upstreamBytes(_ buffer: ByteBuffer)
    func upstreamBytesComplete()
    /// The connection closed or failed by itself (not because the delegate closed it).
    func upstreamBytesClosed()
}

/// The first handler of an upstream connection, next to the socket. While the fast path holds the
/// connection it takes the app's bytes before NIO's response decoder sees them and writes the
/// request's bytes past the encoder; otherwise it is not there as far as anyone can tell. The decoder
/// is left at a message boundary either way, so a connection can serve the fast path and the
/// decoder's path in turns.
final class UpstreamTap: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?
    /// Strong: the fast path detaches at the end of each exchange, and a close clears it.
    private(set) var delegate: UpstreamTapDelegate?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Sends the app's bytes to `delegate` from now on.
    func attach(_ delegate: UpstreamTapDelegate) {
        self.delegate = delegate
    }

    /// Lets the app's bytes go to the decoder again.
    func detach() {
        delegate = nil
    }

    /// Writes and flushes bytes to the app.
    func writeAndFlush(_ buffer: ByteBuffer) {
        context?.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let delegate {
            delegate.upstreamBytes(unwrapInboundIn(data))
        } else {
            context.fireChannelRead(data)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let delegate {
            delegate.upstreamBytesComplete()
        } else {
            context.fireChannelReadComplete()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let delegate {
            self.delegate = nil
            delegate.upstreamBytesClosed()
        }
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension UpstreamTap: Sendable {}
