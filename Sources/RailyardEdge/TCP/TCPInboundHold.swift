import NIOCore

/// Holds what a client sent before its replica connection is joined, and passes it on at `release()`.
/// Auto-read is off until then, but an end of input makes NIO read everything at once regardless, so
/// a client that writes and half-closes straight away would otherwise lose its bytes and its EOF.
final class TCPInboundHold: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private var context: ChannelHandlerContext?
    private var held: [NIOAny] = []
    private var inputClosed = false
    private var released = false

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if released { context.fireChannelRead(data) } else { held.append(data) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if released { context.fireChannelReadComplete() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if !released, let event = event as? ChannelEvent, case .inputClosed = event {
            inputClosed = true
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// Passes on what was held (the bytes, then the end of input if it came) and lets everything
    /// through from now on.
    func release() {
        released = true
        guard let context else { return }
        let bytes = held
        held = []
        for data in bytes { context.fireChannelRead(data) }
        if !bytes.isEmpty { context.fireChannelReadComplete() }
        if inputClosed { context.fireUserInboundEventTriggered(ChannelEvent.inputClosed) }
    }
}
