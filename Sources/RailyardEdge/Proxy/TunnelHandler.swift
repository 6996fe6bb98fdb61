import NIOCore

/// One end of two spliced connections: what one channel reads, the other writes, untouched. After a
/// `101 Switching Protocols` the edge no longer speaks HTTP on either connection, it copies bytes.
/// Reads on one side wait while the other side cannot take more, and a close (or error) on either
/// side closes the other. On the client's side an idle event (nothing either way for the tunnel
/// idle timeout) or a graceful shutdown closes the tunnel.
final class TunnelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var partner: TunnelHandler?
    private var context: ChannelHandlerContext?
    private var readPending = false

    private init() {}

    /// Two ends that feed each other; add one to each channel.
    static func pair() -> (TunnelHandler, TunnelHandler) {
        let first = TunnelHandler()
        let second = TunnelHandler()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    // MARK: this side

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.writeFromPartner(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.flushFromPartner()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            partner?.resumeReads()
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        let partner = self.partner
        self.partner = nil
        partner?.closeFromPartner()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent || event is ChannelShouldQuiesceEvent {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if partner?.isWritable ?? false {
            context.read()
        } else {
            readPending = true
        }
    }

    // MARK: called by the partner

    private var isWritable: Bool {
        context?.channel.isWritable ?? false
    }

    private func writeFromPartner(_ data: NIOAny) {
        context?.write(data, promise: nil)
    }

    private func flushFromPartner() {
        context?.flush()
    }

    private func resumeReads() {
        guard readPending, let context else { return }
        readPending = false
        context.read()
    }

    private func closeFromPartner() {
        partner = nil
        context?.close(promise: nil)
    }
}

@available(*, unavailable)
extension TunnelHandler: Sendable {}
