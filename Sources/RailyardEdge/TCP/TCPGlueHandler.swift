import NIOCore

/// One end of a byte pipe between two channels on the same event loop (a client and the replica it
/// was connected to). What one channel reads, the other writes; a channel reads again only while its
/// partner can take more (back-pressure), an end-of-input becomes the partner's end-of-output
/// (half-close), and when one channel closes the other does too.
final class TCPGlueHandler {
    private var partner: TCPGlueHandler?
    private var context: ChannelHandlerContext?
    /// A read the channel asked for while the partner could not take more; issued once it can.
    private var pendingRead = false

    private init() {}

    /// Two handlers joined to each other, one for each channel's pipeline.
    static func matchedPair() -> (TCPGlueHandler, TCPGlueHandler) {
        let first = TCPGlueHandler()
        let second = TCPGlueHandler()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    private func partnerWrite(_ data: NIOAny) {
        context?.write(data, promise: nil)
    }

    private func partnerFlush() {
        context?.flush()
    }

    /// The partner's input ended: end this channel's output once what is queued is written.
    private func partnerWriteEOF() {
        afterFlush { $0.close(mode: .output, promise: nil) }
    }

    /// The partner closed: close this channel once what is queued is written.
    private func partnerCloseFull() {
        afterFlush { $0.close(promise: nil) }
    }

    /// Runs `action` once everything written so far has reached the socket (or failed). Closing at
    /// once would drop writes still queued: NIO escalates a half-close to a full one when the input
    /// has ended too, and a full close fails what is pending.
    private func afterFlush(_ action: @escaping @Sendable (Channel) -> Void) {
        guard let context else { return }
        let channel = context.channel
        let flushed = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(NIOAny(ByteBuffer()), promise: flushed)
        flushed.futureResult.whenComplete { _ in action(channel) }
    }

    private func partnerBecameWritable() {
        guard pendingRead else { return }
        pendingRead = false
        context?.read()
    }

    private var partnerWritable: Bool {
        context?.channel.isWritable ?? false
    }
}

extension TCPGlueHandler: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.partnerWrite(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.partnerFlush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.partnerCloseFull()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, case .inputClosed = event {
            partner?.partnerWriteEOF()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A reset or a failed write: neither side can be trusted to carry on.
        context.close(promise: nil)
        partner?.partnerCloseFull()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.partnerBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if let partner, partner.partnerWritable {
            context.read()
        } else {
            pendingRead = true
        }
    }
}

/// Closes a client connection that has carried no bytes either way for the idle timeout.
final class TCPIdleCloser: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
