import Foundation
import NIOCore
import NIOHTTP1

/// The edge's byte-level path for the requests that make up most traffic: a `GET` or `HEAD` with no
/// body for a host routed to a replica. It sits in front of NIO's HTTP codec on a client connection
/// and reads each request head itself (`RequestHeadScan`); a simple one is written to the app as
/// bytes (hop-by-hop headers dropped, `X-Forwarded-*` and `X-Request-Id` set: the same rewriting as
/// `ProxyHeaders.upstreamRequest`) over a pooled connection's `UpstreamTap`, and the app's response
/// comes back as bytes with only its head rebuilt (`ResponseHeadScan`) and its body passed through,
/// framed by `Content-Length`, chunks (`ChunkedBodyEnd`) or the app's close. No `HTTPHeaders`, no
/// request or response parts, no codec on either side: that machinery was most of the edge's CPU
/// time per request.
///
/// Everything else goes to the codec and `EdgeConnectionHandler` exactly as before: a request whose
/// end the scan knows (`Content-Length` framing) is handed over whole, and the connection comes back
/// here once its response has ended; chunked requests, upgrades and anything the scan does not vouch
/// for hand the connection over for good. A request the fast path took never reaches the codec, so
/// the codec only ever sees whole requests and is at a message boundary whenever the fast path reads.
final class EdgeFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Mode {
        /// At a request boundary: `buffered` holds the start of the next request, if any.
        case idle
        /// A request of the fast path's own is in flight (`exchange`).
        case fast
        /// The codec has a request; `bodyLeft` of its body bytes are still to be handed over.
        case slow(bodyLeft: Int, responseEnded: Bool)
        /// The codec reads everything from now on.
        case passthrough
    }

    /// How the body of the response in flight ends.
    private enum Body {
        case length(Int)
        case chunked(ChunkedBodyEnd)
        case untilClose
    }

    private enum Stage {
        case connecting
        /// Waiting for (the rest of) the app's response head.
        case head(ByteBuffer?)
        case body(Body)
    }

    /// One request on the fast path, from its head to the end of its response.
    private final class Exchange {
        let id: Int
        /// The request as the app gets it, kept for one retry on a fresh connection.
        let request: ByteBuffer
        let isHEAD: Bool
        var record: EdgeConnectionHandler.ActiveRequest
        var lease: UpstreamPool.Lease?
        var stage = Stage.connecting
        var retried = false
        /// The app sent something on the current connection.
        var heard = false
        var upstreamReusable = false

        init(id: Int, request: ByteBuffer, isHEAD: Bool, record: EdgeConnectionHandler.ActiveRequest) {
            self.id = id
            self.request = request
            self.isHEAD = isHEAD
            self.record = record
        }
    }

    /// Client bytes kept while a request is in flight before reads stop.
    static let maxBuffered = 64 * 1024
    /// Response bytes gathered into one write with the head, when a body is this small.
    static let coalesceLimit = 16 * 1024

    private let environment: EdgeEnvironment
    private let timeouts: ClientTimeoutHandler?
    private var context: ChannelHandlerContext?
    private var mode = Mode.idle
    private var buffered: ByteBuffer?
    private var exchange: Exchange?
    /// What goes to the client at the end of this upstream read, when small.
    private var unsent: ByteBuffer?
    private var exchanges = 0
    private var requestIDs = RequestID.Generator()
    private var clientAddress: String??
    private var loopPool: UpstreamPool.LoopPool?
    /// Buffers of the last request and response head, written again once NIO let go of them (no
    /// allocation per request on a keep-alive connection).
    private var requestScratch: ByteBuffer?
    private var headScratch: ByteBuffer?
    /// The route of the last Host header seen on this connection.
    private var route: RouteTable.CachedRoute?
    private var quiescing = false
    /// The last scan found no end of head, and no line has ended since.
    private var awaitingLineEnd = false
    /// The codec and connection handler are in the pipeline (`installCodec`).
    private var codecInstalled = false
    /// Something was written to the client since the last flush.
    private var unflushed = false
    private var readPending = false
    private var isClosed = false

    init(environment: EdgeEnvironment, timeouts: ClientTimeoutHandler?) {
        self.environment = environment
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: client → edge

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch mode {
        case .passthrough:
            context.fireChannelRead(data)
        case .slow(let bodyLeft, let responseEnded) where bodyLeft > 0:
            var bytes = unwrapInboundIn(data)
            let take = min(bodyLeft, bytes.readableBytes)
            let part = bytes.readSlice(length: take)!
            mode = .slow(bodyLeft: bodyLeft - take, responseEnded: responseEnded)
            if bytes.readableBytes > 0 { keep(bytes) }
            context.fireChannelRead(wrapInboundOut(part))
            if bodyLeft == take && responseEnded { becomeIdle(context: context, from: .clientRead) }
        case .idle:
            keep(unwrapInboundIn(data))
            takeBuffered(context: context)
        case .fast, .slow:
            keep(unwrapInboundIn(data))
        }
    }

    private func keep(_ bytes: ByteBuffer) {
        // A head still incomplete is scanned again only once a line may have ended: a head sent a
        // few bytes at a time costs one scan per line, not one per read.
        if awaitingLineEnd, bytes.readableBytesView.contains(UInt8(ascii: "\n")) { awaitingLineEnd = false }
        if buffered == nil || buffered!.readableBytes == 0 {
            buffered = bytes
        } else {
            var bytes = bytes
            // What was handed on already goes, so the storage holds what still waits, not all the
            // connection ever sent.
            if buffered!.readerIndex >= Self.maxBuffered { buffered!.discardReadBytes() }
            buffered!.writeBuffer(&bytes)
        }
        if awaitingLineEnd, buffered!.readableBytes > RequestHeadScan.maxHeadLength { awaitingLineEnd = false }
    }

    /// Starts on the request at the front of `buffered`, if its head is there.
    private func takeBuffered(context: ChannelHandlerContext) {
        guard case .idle = mode, !quiescing, !isClosed, !awaitingLineEnd, var buffer = buffered, buffer.readableBytes > 0 else { return }
        let scan = buffer.withUnsafeReadableBytes { RequestHeadScan.scan($0) }
        switch scan {
        case .incomplete:
            awaitingLineEnd = true
            return
        case .passthrough:
            mode = .passthrough
            buffered = nil
            toCodec(buffer, context: context)
        case .slow(let headLength, let bodyLength):
            let take = headLength + min(bodyLength, buffer.readableBytes - headLength)
            let request = buffer.readSlice(length: take)!
            buffered = buffer.readableBytes > 0 ? buffer : nil
            mode = .slow(bodyLeft: headLength + bodyLength - take, responseEnded: false)
            toCodec(request, context: context)
        case .fast(let head):
            let headBytes = buffer.readSlice(length: head.headLength)!
            buffered = buffer.readableBytes > 0 ? buffer : nil
            if !start(head, bytes: headBytes, context: context) {
                // Not for a replica (a page, a static release, a sleeping service): the codec's path.
                mode = .slow(bodyLeft: 0, responseEnded: false)
                toCodec(headBytes, context: context)
            }
        }
    }

    /// The codec's path answered its request and keeps the connection: the fast path reads again.
    /// Called by `EdgeConnectionHandler`.
    func slowResponseEnded() {
        guard case .slow(let bodyLeft, _) = mode, let context else { return }
        if bodyLeft > 0 {
            mode = .slow(bodyLeft: bodyLeft, responseEnded: true)
        } else {
            becomeIdle(context: context, from: .connectionHandler)
        }
    }

    /// Who brings the connection back to a request boundary.
    private enum Origin {
        /// A read from the client, which ends with a read-complete of its own.
        case clientRead
        /// The app's connection (the fast path's response ended).
        case upstream
        /// `EdgeConnectionHandler`, in the middle of ending its response.
        case connectionHandler
    }

    private func becomeIdle(context: ChannelHandlerContext, from origin: Origin) {
        mode = .idle
        if let buffered, buffered.readableBytes > 0 {
            switch origin {
            case .clientRead:
                takeBuffered(context: context)
            case .upstream, .connectionHandler:
                // Not from inside the call that ended the last response (an app's read, the
                // connection handler): next tick, as a read. Pipelined requests thus take turns
                // instead of nesting one call per request.
                let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
                context.eventLoop.execute {
                    guard let context = handler.value.context else { return }
                    handler.value.takeBuffered(context: context)
                    if handler.value.codecInstalled { context.fireChannelReadComplete() }
                }
            }
        }
        resumeReads(context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // The codec and connection handler flush what they forwarded upstream on read-complete.
        if codecInstalled { context.fireChannelReadComplete() }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if codecInstalled {
            context.fireErrorCaught(error)
        } else {
            environment.logger.trace("client connection error", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isClosed = true
        buffered = nil
        if let exchange {
            self.exchange = nil
            if let lease = exchange.lease { close(lease) }
            exchange.record.note = exchange.record.note ?? "the client closed the connection before the response ended"
            environment.log(exchange.record)
        }
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { exchange?.lease?.handler.resumeReads() }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        switch mode {
        case .idle, .passthrough:
            context.read()
        case .fast, .slow:
            if (buffered?.readableBytes ?? 0) >= Self.maxBuffered {
                readPending = true
            } else {
                context.read()
            }
        }
    }

    private func resumeReads(context: ChannelHandlerContext) {
        guard readPending, (buffered?.readableBytes ?? 0) < Self.maxBuffered else { return }
        readPending = false
        context.read()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else { return context.fireUserInboundEventTriggered(event) }
        quiescing = true
        guard case .fast = mode else {
            // Idle or the codec's request: the connection handler closes the connection when it can.
            if codecInstalled { return context.fireUserInboundEventTriggered(event) }
            context.close(promise: nil)
            return
        }
        // The response in flight says `Connection: close` if its head has not gone out, and the
        // connection closes after it either way.
        exchange?.record.summary.keepAlive = false
    }

    // MARK: a request of the fast path's own

    /// Proxies a simple request when its host routes to a replica; false leaves it to the codec.
    private func start(_ head: FastRequestHead, bytes: ByteBuffer, context: ChannelHandlerContext) -> Bool {
        let resolved = bytes.withUnsafeReadableBytes { raw in
            environment.routes.resolve(rawHost: UnsafeRawBufferPointer(rebasing: raw[head.host]), cache: &route)
        }
        guard let (host, resolution) = resolved, case .proxy(let upstream) = resolution else { return false }
        if !environment.secure, environment.httpsRedirect?.certificates.hasCertificate(for: host) == true { return false }

        timeouts?.headReceived()
        timeouts?.requestEnded()
        let address = address(context)
        var request = reuse(&requestScratch, capacity: head.headLength + 128 + (address?.utf8.count ?? 0), context: context)
        let rewritten = bytes.withUnsafeReadableBytes { raw in
            head.writeUpstreamRequest(
                from: raw, clientAddress: address, secure: environment.secure, newID: { requestIDs.next() }, into: &request
            )
        }

        exchanges += 1
        var record = EdgeConnectionHandler.ActiveRequest(
            id: exchanges,
            summary: ProxyHeaders.RequestSummary(
                method: head.isHEAD ? .HEAD : .GET, version: .http1_1, keepAlive: !head.close, requestID: rewritten.requestID
            ),
            host: host,
            path: rewritten.path[...],
            start: .now()
        )
        record.known = true
        record.upstream = upstream
        exchange = Exchange(id: exchanges, request: request, isHEAD: head.isHEAD, record: record)
        mode = .fast
        connect(upstream, fresh: false, context: context)
        return true
    }

    private func connect(_ upstream: Upstream, fresh: Bool, context: ChannelHandlerContext) {
        guard let exchange else { return }
        exchange.stage = .connecting
        let pool = upstreams(context)
        switch pool.acquire(upstream, fresh: fresh) {
        case .ready(let lease):
            send(on: lease)
        case .connecting(let connecting):
            let id = exchange.id
            connecting.whenComplete { result in
                guard let exchange = self.exchange, exchange.id == id, !self.isClosed else {
                    // The request ended (client gone) while connecting: keep the connection for others.
                    if case .success(let lease) = result { pool.release(lease) }
                    return
                }
                switch result {
                case .success(let lease):
                    self.send(on: lease)
                case .failure(let error):
                    exchange.record.note = "\(error)"
                    let host = exchange.record.host
                    self.fail(EdgeConnectionHandler.isConnectTimeout(error) ? .gatewayTimeout(host) : .badGateway(host))
                }
            }
        }
    }

    private func send(on lease: UpstreamPool.Lease) {
        guard let exchange else { return }
        exchange.lease = lease
        exchange.heard = false
        exchange.stage = .head(nil)
        lease.handler.leaseForBytes()
        lease.tap.attach(self)
        lease.tap.writeAndFlush(exchange.request)
    }

    /// The response ended: the app's connection goes back to the pool (or closes), the client's
    /// stays for the next request (or closes).
    private func finish(reuseUpstream: Bool) {
        guard let context, let exchange else { return }
        self.exchange = nil
        requestScratch = exchange.request
        if let lease = exchange.lease {
            exchange.lease = nil
            if reuseUpstream {
                upstreams(context).release(lease)
            } else {
                close(lease)
            }
        }
        writeUnsent(context: context)
        environment.log(exchange.record)
        timeouts?.responseEnded()
        mode = .idle
        if exchange.record.summary.keepAlive && !quiescing {
            flushIfWritten(context: context)
            becomeIdle(context: context, from: .upstream)
        } else {
            unflushed = false
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(capacity: 0))).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }

    /// Answers with one of the edge's pages, when no response head has gone out yet.
    private func fail(_ page: EdgePage) {
        guard let context, let exchange else { return }
        if let lease = exchange.lease {
            exchange.lease = nil
            close(lease)
        }
        if exchange.record.note == nil { exchange.record.note = "the app closed the connection before answering" }
        let response = page.wholeResponse(
            requestID: exchange.record.summary.requestID, close: !exchange.record.summary.keepAlive || quiescing, body: !exchange.isHEAD
        )
        exchange.record.status = page.status
        exchange.record.bytesSent += exchange.isHEAD ? 0 : page.html.utf8.count
        context.write(wrapOutboundOut(context.channel.allocator.buffer(string: response)), promise: nil)
        unflushed = true
        finish(reuseUpstream: false)
    }

    /// Cuts the client connection in the middle of a response.
    private func abort(_ note: String) {
        guard let context, let exchange else { return }
        self.exchange = nil
        if let lease = exchange.lease { close(lease) }
        writeUnsent(context: context)
        exchange.record.note = note
        environment.log(exchange.record)
        unflushed = false
        context.flush()
        context.close(promise: nil)
    }

    private func close(_ lease: UpstreamPool.Lease) {
        lease.tap.detach()
        lease.handler.detach()
        lease.channel.close(promise: nil)
    }

    // MARK: writes to the client

    private func emit(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        guard let exchange else { return }
        exchange.record.bytesSent += bytes.readableBytes
        if unsent != nil, unsent!.readableBytes + bytes.readableBytes <= Self.coalesceLimit {
            var bytes = bytes
            unsent!.writeBuffer(&bytes)
            return
        }
        writeUnsent(context: context)
        context.write(wrapOutboundOut(bytes), promise: nil)
        unflushed = true
        if !context.channel.isWritable { exchange.lease?.handler.pauseReads() }
    }

    private func writeUnsent(context: ChannelHandlerContext) {
        guard let bytes = unsent else { return }
        unsent = nil
        headScratch = bytes
        context.write(wrapOutboundOut(bytes), promise: nil)
        unflushed = true
        if !context.channel.isWritable { exchange?.lease?.handler.pauseReads() }
    }

    // MARK: helpers

    /// Adds NIO's HTTP codec and the connection handler behind this handler, the first time a
    /// request needs them: a connection that only ever carries simple requests never has them, and
    /// its reads, read-completes and read requests cross two handlers instead of five.
    private func installCodec(context: ChannelHandlerContext) {
        guard !codecInstalled else { return }
        codecInstalled = true
        // ProxyHeaders and the connection handler frame every response explicitly (HEAD, HTTP/1.0).
        var encoder = HTTPResponseEncoder.Configuration()
        encoder.automaticallySetFramingHeaders = false
        // NIO's server pipeline without its pipelining and error handlers (the connection handler
        // queues pipelined requests and answers parse errors itself) and without outbound header
        // validation: response heads are the app's, already parsed (so free of CR, LF and NUL) by
        // the upstream decoder, or the edge's own.
        do {
            try context.pipeline.syncOperations.addHandlers(
                [
                    HTTPResponseEncoder(configuration: encoder),
                    ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)),
                    EdgeConnectionHandler(environment: environment, timeouts: timeouts, fastPath: self),
                ],
                position: .after(self)
            )
        } catch {
            environment.logger.debug("could not add the HTTP codec", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        }
    }

    /// Hands bytes to the codec, adding it first if need be.
    private func toCodec(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        installCodec(context: context)
        context.fireChannelRead(wrapInboundOut(bytes))
    }

    /// `scratch`, emptied, when NIO no longer holds it; else a new buffer.
    private func reuse(_ scratch: inout ByteBuffer?, capacity: Int, context: ChannelHandlerContext) -> ByteBuffer {
        guard var buffer = scratch.take() else { return context.channel.allocator.buffer(capacity: max(capacity, 1024)) }
        buffer.clear(minimumCapacity: capacity)
        return buffer
    }

    private func address(_ context: ChannelHandlerContext) -> String? {
        if let clientAddress { return clientAddress }
        let address = context.channel.remoteAddress?.ipAddress
        clientAddress = .some(address)
        return address
    }

    private func upstreams(_ context: ChannelHandlerContext) -> UpstreamPool.LoopPool {
        if let loopPool { return loopPool }
        let pool = environment.pool.onLoop(context.eventLoop)
        loopPool = pool
        return pool
    }
}

// MARK: app → edge

extension EdgeFastPath: UpstreamTapDelegate {
    func upstreamBytes(_ buffer: ByteBuffer) {
        guard let context, let exchange else { return abandonUpstream() }
        exchange.heard = true
        switch exchange.stage {
        case .connecting:
            return
        case .head(let earlier):
            var pending = buffer
            if var earlier {
                earlier.writeBuffer(&pending)
                pending = earlier
            }
            readHead(&pending, exchange: exchange, context: context)
        case .body:
            forwardBody(buffer, exchange: exchange, context: context)
        }
        writeUnsent(context: context)
    }

    /// Reads the response head at the front of `pending` (after any 1xx heads), sends the client's
    /// and goes on with the body bytes behind it.
    private func readHead(_ pending: inout ByteBuffer, exchange: Exchange, context: ChannelHandlerContext) {
        while true {
            let outcome = pending.withUnsafeReadableBytes { ResponseHeadScan.scan($0, requestWasHEAD: exchange.isHEAD) }
            switch outcome {
            case .incomplete:
                exchange.stage = .head(pending)
                return
            case .malformed(let reason):
                exchange.record.note = "the app's response could not be read: \(reason)"
                return fail(.badGateway(exchange.record.host))
            case .head(let head):
                if head.status == 101 {
                    exchange.record.note = "the app switched protocols on a request that did not ask to"
                    return fail(.badGateway(exchange.record.host))
                }
                let informational = (100..<200).contains(head.status)
                let keepAlive = informational || (exchange.record.summary.keepAlive && !head.closesClient && !quiescing)
                if !informational { exchange.record.summary.keepAlive = keepAlive }
                var out = reuse(&headScratch, capacity: head.headLength + 96, context: context)
                pending.withUnsafeReadableBytes { raw in
                    head.writeClientHead(from: raw, requestID: exchange.record.summary.requestID, keepAlive: keepAlive, into: &out)
                }
                pending.moveReaderIndex(forwardBy: head.headLength)
                if informational {
                    context.write(wrapOutboundOut(out), promise: nil)
                    unflushed = true
                    if pending.readableBytes == 0 {
                        exchange.stage = .head(nil)
                        return
                    }
                    continue
                }
                exchange.record.status = HTTPResponseStatus(statusCode: head.status)
                exchange.upstreamReusable = head.upstreamReusable
                unsent = out
                switch head.framing {
                case .none:
                    return finish(reuseUpstream: head.upstreamReusable && pending.readableBytes == 0)
                case .length(let length):
                    exchange.stage = .body(.length(length))
                    if length == 0 { return finish(reuseUpstream: head.upstreamReusable && pending.readableBytes == 0) }
                case .chunked:
                    exchange.stage = .body(.chunked(ChunkedBodyEnd()))
                case .untilClose:
                    exchange.stage = .body(.untilClose)
                }
                if pending.readableBytes > 0 { forwardBody(pending, exchange: exchange, context: context) }
                return
            }
        }
    }

    private func forwardBody(_ buffer: ByteBuffer, exchange: Exchange, context: ChannelHandlerContext) {
        guard case .body(let body) = exchange.stage else { return }
        var buffer = buffer
        switch body {
        case .length(let left):
            let take = min(left, buffer.readableBytes)
            emit(buffer.readSlice(length: take)!, context: context)
            if take == left {
                finish(reuseUpstream: exchange.upstreamReusable && buffer.readableBytes == 0)
            } else {
                exchange.stage = .body(.length(left - take))
            }
        case .chunked(var chunks):
            let step = buffer.withUnsafeReadableBytes { chunks.consume($0) }
            switch step {
            case .needMore:
                exchange.stage = .body(.chunked(chunks))
                emit(buffer, context: context)
            case .ended(let consumed):
                emit(buffer.readSlice(length: consumed)!, context: context)
                finish(reuseUpstream: exchange.upstreamReusable && buffer.readableBytes == 0)
            case .invalid:
                abort("the app's chunked body is malformed")
            }
        case .untilClose:
            emit(buffer, context: context)
        }
    }

    /// The client connection is gone (its handlers removed) while an app still talks to it: that
    /// app connection cannot be trusted for another request.
    private func abandonUpstream() {
        guard let exchange else { return }
        self.exchange = nil
        if let lease = exchange.lease { close(lease) }
    }

    func upstreamBytesComplete() {
        guard let context else { return abandonUpstream() }
        writeUnsent(context: context)
        flushIfWritten(context: context)
    }

    private func flushIfWritten(context: ChannelHandlerContext) {
        guard unflushed else { return }
        unflushed = false
        context.flush()
    }

    func upstreamBytesClosed() {
        guard let context, let exchange else { return }
        let lease = exchange.lease
        exchange.lease = nil
        lease?.handler.detach()
        switch exchange.stage {
        case .connecting:
            return
        case .head:
            if let lease, lease.reused, !exchange.heard, !exchange.retried, let upstream = exchange.record.upstream {
                // A keep-alive connection the app had closed just as the request went out: the
                // request (GET or HEAD, no body) is safe to send again.
                exchange.retried = true
                return connect(upstream, fresh: true, context: context)
            }
            fail(.badGateway(exchange.record.host))
        case .body(.untilClose):
            exchange.record.summary.keepAlive = false
            finish(reuseUpstream: false)
        case .body:
            abort("the app closed the connection in the middle of its response")
        }
    }
}

@available(*, unavailable)
extension EdgeFastPath: Sendable {}
