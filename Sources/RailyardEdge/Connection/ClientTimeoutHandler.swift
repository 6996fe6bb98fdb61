import NIOCore

/// The two clocks of a client connection, at the front of its pipeline where it sees raw bytes:
///
/// - **Request-head timeout** (slowloris): a client must send a whole request head within it. The
///   clock starts when the connection opens and, between keep-alive requests, at the first byte of
///   the next request (at the end of the response in flight, for bytes that arrive during one). A
///   client that sent part of a head gets a 408; a connection that never sent a byte is closed
///   silently (a browser's preconnected socket would read an unasked-for 408 as the answer to its
///   next request). A body may take as long as it needs.
/// - **Idle timeout**: a connection with no request in progress and no bytes from the client for
///   that long is closed. A slow app is not the client's fault: the clock only runs between requests.
///
/// Neither costs a timer per request: requests only move two deadlines, and one timer per
/// connection wakes at the earliest and re-arms when they moved. A head arriving in one read (the
/// usual case) never arms the head clock at all. The connection handler reports where requests begin
/// and end by calling `headReceived()`, `requestEnded()` and `responseEnded()`.
final class ClientTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let headTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private var context: ChannelHandlerContext?
    private var timer: Scheduled<Void>?
    private var timerDeadline = NIODeadline.distantFuture
    /// No head has arrived on this connection yet: the head clock runs from the connection's start.
    private var firstRequest = true
    /// Between a head and the end of its request.
    private var requestOpen = false
    /// Between a head and the end of its response (pipelined bytes wait for it).
    private var responseOpen = false
    /// Bytes of a next request arrived since the last head.
    private var sawBytes = false
    /// When the head owed now must be complete.
    private var headDeadline = NIODeadline.distantFuture
    /// The last bytes read, or the end of the last response.
    private var lastActivity = NIODeadline.distantPast
    /// How many times a timer was scheduled (for tests: requests must not each cost one).
    private(set) var timersArmed = 0

    init(headTimeout: TimeAmount, idleTimeout: TimeAmount) {
        self.headTimeout = headTimeout
        self.idleTimeout = idleTimeout
    }

    /// True while the client owes the edge a request head.
    private var awaitingHead: Bool {
        !requestOpen && !responseOpen && (firstRequest || sawBytes)
    }

    /// True while no request is in progress.
    private var betweenRequests: Bool {
        !requestOpen && !responseOpen
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let now = context.eventLoop.now
        lastActivity = now
        if !requestOpen, !sawBytes, unwrapInboundIn(data).readableBytes > 0 {
            sawBytes = true
            if !firstRequest { headDeadline = now + headTimeout }
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // The decoder has seen this read: a head still owed now needs the clock.
        if awaitingHead { arm(now: context.eventLoop.now) }
        context.fireChannelReadComplete()
    }

    // MARK: what the connection handler reports

    /// A request head was decoded.
    func headReceived() {
        firstRequest = false
        sawBytes = false
        requestOpen = true
        responseOpen = true
    }

    /// The request (head, body, trailers) has been read completely.
    func requestEnded() {
        requestOpen = false
    }

    /// The response to the current request was written completely.
    func responseEnded() {
        responseOpen = false
        guard let context else { return }
        let now = context.eventLoop.now
        lastActivity = now
        // Bytes that arrived while the response was going out: their head clock starts now.
        if sawBytes && !requestOpen { headDeadline = now + headTimeout }
        arm(now: now)
    }

    // MARK: the timer

    private func start(context: ChannelHandlerContext) {
        let now = context.eventLoop.now
        lastActivity = now
        headDeadline = now + headTimeout
        arm(now: now)
    }

    /// Makes sure the timer wakes no later than the earliest deadline in force. A timer already due
    /// earlier is left alone: it re-arms when it fires.
    private func arm(now: NIODeadline) {
        guard let context else { return }
        var next = NIODeadline.distantFuture
        if awaitingHead { next = headDeadline }
        if betweenRequests { next = min(next, lastActivity + idleTimeout) }
        guard next < .distantFuture else { return }
        if timer != nil {
            guard next < timerDeadline else { return }
            timer?.cancel()
        }
        timerDeadline = next
        timersArmed += 1
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: next) {
            loopBound.value.fire()
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    private func fire() {
        timer = nil
        guard let context, context.channel.isActive else { return }
        let now = context.eventLoop.now
        if awaitingHead && now >= headDeadline {
            expireHead(context: context)
        } else if betweenRequests && now >= lastActivity + idleTimeout {
            context.close(promise: nil)
        } else {
            arm(now: now)
        }
    }

    private func expireHead(context: ChannelHandlerContext) {
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
extension ClientTimeoutHandler: Sendable {}
