import NIOCore
import NIOHTTP1

/// Receives what happens on an upstream connection while it serves one exchange. Called on the
/// connection's event loop, which is also the client connection's loop.
protocol UpstreamHandlerDelegate: AnyObject {
    func upstreamRead(_ part: HTTPClientResponsePart)
    func upstreamReadComplete()
    func upstreamWritabilityChanged(isWritable: Bool)
    /// The connection closed or failed by itself (not because the delegate closed it).
    func upstreamClosed()
}

/// The last handler of an upstream (edge → replica) connection. While leased it passes response
/// parts to its delegate and lets the delegate pause reads for backpressure; while parked in the
/// pool it only watches for the replica closing it, and closes it after the idle timeout.
final class UpstreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    private var context: ChannelHandlerContext?
    private var delegate: UpstreamHandlerDelegate?
    private var readsPaused = false
    private var readPending = false
    private var idleTimer: Scheduled<Void>?
    /// When the connection was last parked, while it is; nil while leased.
    private var parkedAt: NIODeadline?
    private var idleTimeout = TimeAmount.zero

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.idleTimer?.cancel()
        self.idleTimer = nil
    }

    // MARK: lease and park

    /// Starts serving an exchange: parts go to `delegate` from now on.
    func lease(to delegate: UpstreamHandlerDelegate) {
        // The idle timer stays: when it fires on a leased connection it just goes away. A busy
        // connection thus costs no timer per request.
        parkedAt = nil
        self.delegate = delegate
        resumeReads()
    }

    /// Starts serving the fast path, which reads and writes bytes through the connection's
    /// `UpstreamTap`: nothing reaches this handler meanwhile, but it still paces reads.
    func leaseForBytes() {
        parkedAt = nil
        delegate = nil
        resumeReads()
    }

    /// Stops reporting to the current delegate (before the delegate closes or parks the connection).
    func detach() {
        delegate = nil
    }

    /// Idles in the pool: reads stay on so a close by the replica is noticed; closed after
    /// `timeout` unless leased again.
    func park(idleTimeout timeout: TimeAmount) {
        delegate = nil
        resumeReads()
        guard let context else { return }
        parkedAt = context.eventLoop.now
        idleTimeout = timeout
        if idleTimer == nil { armIdleTimer(context: context) }
    }

    private func armIdleTimer(context: ChannelHandlerContext) {
        guard let parkedAt else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        idleTimer = context.eventLoop.scheduleTask(deadline: parkedAt + idleTimeout) {
            loopBound.value.idleTimerFired()
        }
    }

    private func idleTimerFired() {
        idleTimer = nil
        guard let context, let parkedAt else { return }
        if context.eventLoop.now >= parkedAt + idleTimeout {
            context.close(promise: nil)
        } else {
            armIdleTimer(context: context)
        }
    }

    // MARK: I/O for the delegate

    func write(_ part: HTTPClientRequestPart) {
        context?.write(wrapOutboundOut(part), promise: nil)
    }

    func flush() {
        context?.flush()
    }

    /// Stops reading responses until `resumeReads()`: the client cannot take more right now.
    func pauseReads() {
        readsPaused = true
    }

    func resumeReads() {
        readsPaused = false
        if readPending, let context {
            readPending = false
            context.read()
        }
    }

    // MARK: ChannelHandler

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        guard let delegate else {
            // A parked connection must be silent; anything it says makes it unusable.
            context.close(promise: nil)
            return
        }
        delegate.upstreamRead(part)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        delegate?.upstreamReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        delegate?.upstreamWritabilityChanged(isWritable: context.channel.isWritable)
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        idleTimer = nil
        let delegate = self.delegate
        self.delegate = nil
        delegate?.upstreamClosed()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // Resets and parse errors end up here; closing reports them through channelInactive.
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if readsPaused {
            readPending = true
        } else {
            context.read()
        }
    }
}

@available(*, unavailable)
extension UpstreamHandler: Sendable {}
