import NIOCore

/// Closes a client connection that takes longer than the header timeout to send a request head
/// (slowloris). The clock starts when the connection opens and, between keep-alive requests, at the
/// first byte of the next request: a quiet keep-alive connection is the idle timeout's business,
/// and a slow body is nobody's (the clock stops at the head). A client that sent part of a head gets
/// a 408; a connection that never sent a byte is closed silently (a browser's preconnected socket
/// would read an unasked-for 408 as the answer to its next request).
///
/// It sits in front of the HTTP decoder, sees raw bytes, and learns where requests begin and end
/// from the connection handler through outbound user events (`Event`).
final class RequestHeadTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What the connection handler reports, with `triggerUserOutboundEvent`.
    enum Event: Sendable {
        /// A request head was decoded.
        case headReceived
        /// The request (head, body, trailers) has been read completely.
        case requestEnded
        /// The response to the current request was written completely.
        case responseEnded
    }

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    /// No head has arrived on this connection yet: the clock runs from the connection's start.
    private var firstRequest = true
    /// Between a head and the end of its request.
    private var requestOpen = false
    /// Between a head and the end of its response (pipelined bytes wait for it).
    private var responseOpen = false
    /// Bytes of a next request arrived since the last head.
    private var sawBytes = false

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    /// True while the client owes the edge a request head.
    private var awaitingHead: Bool {
        !requestOpen && !responseOpen && (firstRequest || sawBytes)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { update(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        update(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !requestOpen && unwrapInboundIn(data).readableBytes > 0 {
            sawBytes = true
            update(context: context)
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let event = event as? Event else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        switch event {
        case .headReceived:
            firstRequest = false
            sawBytes = false
            requestOpen = true
            responseOpen = true
        case .requestEnded:
            requestOpen = false
        case .responseEnded:
            responseOpen = false
        }
        update(context: context)
        promise?.succeed()
    }

    /// Starts the clock when a head is owed and it is not running, stops it when none is.
    private func update(context: ChannelHandlerContext) {
        if !awaitingHead {
            timer?.cancel()
            timer = nil
        } else if timer == nil {
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            timer = context.eventLoop.scheduleTask(in: timeout) {
                let (handler, context) = loopBound.value
                handler.expire(context: context)
            }
        }
    }

    private func expire(context: ChannelHandlerContext) {
        timer = nil
        guard awaitingHead, context.channel.isActive else { return }
        guard sawBytes else {
            context.close(promise: nil)
            return
        }
        let response = ByteBuffer(string: EdgePage.requestTimeout.closingResponse)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(response)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension RequestHeadTimeoutHandler: Sendable {}
