import NIOCore

/// Asks for a client's replica connection once the client's channel is active, holds what the client
/// sends until that connection is joined, and passes it on at `release()`.
///
/// The join starts at `channelActive`, not in the accepted channel's initializer: NIO registers and
/// activates an accepted channel only after its initializer has run and a hop through the event loop,
/// so on a busy machine a replica could answer first and be joined to a channel that is not active
/// yet (the proxy then closed the client). Auto-read is off until `release()`, but an end of input
/// makes NIO read everything at once regardless, so a client that writes and half-closes straight
/// away would otherwise lose its bytes and its EOF.
final class TCPInboundHold: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private let onActive: (Channel) -> Void
    private var context: ChannelHandlerContext?
    private var held: [NIOAny] = []
    private var inputClosed = false
    private var released = false

    /// A hold that calls `onActive` with the client's channel when that channel becomes active.
    init(onActive: @escaping (Channel) -> Void) {
        self.onActive = onActive
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        onActive(context.channel)
        context.fireChannelActive()
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
