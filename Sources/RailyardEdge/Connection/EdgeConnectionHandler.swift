import RailyardCore
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// One client connection to the edge. For each request it captures the route once, at the head,
/// then answers with a page, a static file, or by proxying to the replica the route picked. Reads
/// from the client pause while the upstream cannot take more (and while connecting), reads from the
/// upstream pause while the client cannot: bodies stream both ways without being buffered whole.
/// A WebSocket handshake the app accepts turns the connection into a byte tunnel
/// (`EdgeConnectionHandler+Tunnel.swift`), and this handler leaves the pipeline.
final class EdgeConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Reasons to hold reads from the client.
    private struct ReadBlock: OptionSet {
        let rawValue: UInt8
        /// Waiting for an upstream connection; body parts would pile up.
        static let connecting = ReadBlock(rawValue: 1)
        /// The upstream connection's send buffer is full.
        static let upstreamFull = ReadBlock(rawValue: 2)
    }

    /// The request being answered, as far as logging and framing need it.
    struct ActiveRequest {
        let id: Int
        var summary: ProxyHeaders.RequestSummary
        let host: String
        let path: Substring
        let start: NIODeadline
        var status: HTTPResponseStatus?
        var upstream: Upstream?
        var note: String?
        /// Response body bytes written so far.
        var bytesSent = 0
        /// Whether the host resolved to a route (only those are access-logged).
        var known = false
        /// When it arrived, for the access log.
        let arrived = Date()
    }

    let environment: EdgeEnvironment
    /// The connection's head and idle clocks, told where requests begin and end.
    let timeouts: ClientTimeoutHandler?
    private(set) var context: ChannelHandlerContext?
    var active: ActiveRequest?
    var exchange: ProxyExchange?
    var lease: UpstreamPool.Lease?
    private var loopPool: UpstreamPool.LoopPool?
    private var formattedClientAddress: String?
    private var readBlock: ReadBlock = []
    private var readPending = false
    private var requestCount = 0
    private var requestIDs = RequestID.Generator()
    /// The answer went out before the request body was read: the rest is read and dropped, for at
    /// most `lingerTime`, and no further request is served.
    private var lingering = false
    /// How long a refused body may keep arriving after the answer.
    static let lingerTime = TimeAmount.seconds(5)
    private(set) var isClosed = false
    /// Between a request head and its end (the body is still arriving).
    var requestOpen = false
    /// Requests that arrived while a response was in flight, and a parse error behind them:
    /// delivered one by one as responses end, so responses go out in order.
    var pipelined = CircularBuffer<PipelinedEvent>()
    /// `deliverPipelined()` is running (answers made on the spot re-enter it).
    var deliveringPipelined = false
    /// A graceful shutdown asked this connection to close once the request in flight is answered.
    var quiescing = false

    /// The byte-level path in front of the codec, told when a response of this handler's ends.
    let fastPath: EdgeFastPath?

    init(environment: EdgeEnvironment, timeouts: ClientTimeoutHandler?, fastPath: EdgeFastPath? = nil) {
        self.environment = environment
        self.timeouts = timeouts
        self.fastPath = fastPath
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: client → edge

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if mustWait(before: part) {
            hold(.part(part))
        } else {
            receive(part)
        }
    }

    /// Handles one part of the request to answer now.
    func receive(_ part: HTTPServerRequestPart) {
        switch part {
        case .head(let head):
            guard !lingering, !quiescing, let context else { return }
            requestOpen = true
            timeouts?.headReceived()
            begin(head, context: context)
        case .body(let buffer):
            if exchange != nil { perform(exchange!.requestBodyReceived(buffer)) }
        case .end(let trailers):
            requestOpen = false
            timeouts?.requestEnded()
            if exchange != nil { perform(exchange!.requestEndReceived(trailers: trailers)) }
            closeIfQuiesced()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        lease?.handler.flush()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            lease?.handler.resumeReads()
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        isClosed = true
        if exchange != nil { perform(exchange!.clientClosed()) }
        if var request = active {
            request.note = request.note ?? "the client closed the connection before the response ended"
            log(request)
        }
        active = nil
        exchange = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        environment.logger.trace("client connection error", metadata: ["error": "\(error)"])
        if error is HTTPParserError {
            if mustWaitForResponse {
                return hold(.parseError)
            }
            if active?.status == nil { sendBadRequest(context: context) }
        }
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if readBlock.isEmpty && !holdsReadsForPipelining {
            context.read()
        } else {
            readPending = true
        }
    }

    // MARK: routing

    private func begin(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        requestCount += 1
        let requestID = RequestID.resolve(incoming: head.headers.first(name: RequestID.header), generator: &requestIDs)
        let summary = ProxyHeaders.RequestSummary(
            method: head.method,
            version: head.version,
            // The HTTP decoder reads nothing after an upgrade request, tunnel or not.
            keepAlive: head.isKeepAlive && !ProxyHeaders.asksToSwitchProtocols(head),
            requestID: requestID
        )
        let hostHeader = head.headers.first(name: "host")
        let host = hostHeader.flatMap { HostName.normalize($0) }
        active = ActiveRequest(
            id: requestCount,
            summary: summary,
            host: host ?? "-",
            path: head.uri.utf8.firstIndex(of: UInt8(ascii: "?")).map { head.uri[..<$0] } ?? head.uri[...],
            start: .now()
        )
        guard let host else {
            respond(.missingHost)
            return
        }
        let resolved = environment.routes.resolve(normalizedHost: host)
        if case .unknownHost = resolved {} else { active?.known = true }
        if !environment.secure, let location = environment.httpsRedirect?.location(host: host, uri: head.uri) {
            sendResponse(status: .permanentRedirect, headers: ["location": location, "content-length": "0"], body: nil)
            return
        }
        switch resolved {
        case .unknownHost:
            respond(.unknownHost(host))
        case .unavailable(let reason):
            respond(.unavailable(reason))
        case .directory(let root):
            serveStatic(root: root, head: head)
        case .sleeping:
            environment.wake?(host)
            startExchange(head, upstream: nil, requestID: requestID, summary: summary, context: context)
        case .proxy(let upstream):
            startExchange(head, upstream: upstream, requestID: requestID, summary: summary, context: context)
        }
    }

    /// Proxies the request to `upstream`, or to the replica the host gets once it wakes (nil).
    private func startExchange(
        _ head: HTTPRequestHead, upstream: Upstream?, requestID: String, summary: ProxyHeaders.RequestSummary, context: ChannelHandlerContext
    ) {
        let upstreamHead = ProxyHeaders.upstreamRequest(
            from: head,
            clientAddress: clientAddress(context),
            requestID: requestID,
            secure: environment.secure
        )
        exchange = ProxyExchange(request: upstreamHead, summary: summary, maxRequestBodySize: environment.maxRequestBodySize)
        active?.upstream = upstream
        perform(exchange!.start())
    }

    // MARK: proxying

    func connect(fresh: Bool) {
        guard let context, let request = active else { return }
        readBlock.insert(.connecting)
        guard let upstream = request.upstream else { return waitForWake(request, context: context) }
        let pool = upstreams(context)
        switch pool.acquire(upstream, fresh: fresh) {
        case .ready(let lease):
            leased(lease)
        case .connecting(let connecting):
            connecting.whenComplete { result in
                guard self.active?.id == request.id, self.exchange != nil, !self.isClosed else {
                    // The request ended (client gone) while connecting: keep the connection for others.
                    if case .success(let lease) = result { pool.release(lease) }
                    return
                }
                switch result {
                case .success(let lease):
                    self.leased(lease)
                case .failure(let error):
                    self.active?.note = "\(error)"
                    let failure: ProxyExchange.Failure = Self.isConnectTimeout(error) ? .timedOut : .unreachable
                    self.perform(self.exchange!.upstreamConnectFailed(failure))
                }
            }
        }
    }

    private func leased(_ lease: UpstreamPool.Lease) {
        self.lease = lease
        lease.handler.lease(to: self)
        perform(exchange!.upstreamConnected(reused: lease.reused))
    }

    /// The client's IP address as text, formatted once per connection.
    private func clientAddress(_ context: ChannelHandlerContext) -> String? {
        if let formattedClientAddress { return formattedClientAddress }
        formattedClientAddress = context.channel.remoteAddress?.ipAddress
        return formattedClientAddress
    }

    /// This loop's share of the upstream pool, looked up once per connection.
    private func upstreams(_ context: ChannelHandlerContext) -> UpstreamPool.LoopPool {
        if let loopPool { return loopPool }
        let pool = environment.pool.onLoop(context.eventLoop)
        loopPool = pool
        return pool
    }

    func perform(_ action: ProxyExchange.Action) {
        guard let context else { return }
        switch action {
        case .none, .dropRequestPart:
            break
        case .connect(let upgrade):
            connect(fresh: upgrade)
        case .refuseBody:
            dropLease(reuse: false)
            active?.note = "the request body is over the \(environment.maxRequestBodySize)-byte limit"
            // The rest of the body is never forwarded, so the connection cannot carry another request.
            active?.summary.keepAlive = false
            lingering = true
            respond(.payloadTooLarge(limit: environment.maxRequestBodySize))
        case .startTunnel(let head):
            startTunnel(head, context: context)
        case .sendRequest(let head, let body, let end):
            guard let lease else { return }
            lease.handler.write(.head(head))
            for part in body {
                lease.handler.write(.body(.byteBuffer(part)))
            }
            if let end {
                lease.handler.write(.end(end.trailers))
            }
            lease.handler.flush()
            readBlock.remove(.connecting)
            if !lease.channel.isWritable { readBlock.insert(.upstreamFull) }
            resumeReadsIfUnblocked()
        case .forwardRequestBody(let buffer):
            guard let lease else { return }
            lease.handler.write(.body(.byteBuffer(buffer)))
            if !lease.channel.isWritable { readBlock.insert(.upstreamFull) }
        case .forwardRequestEnd(let trailers):
            lease?.handler.write(.end(trailers))
            lease?.handler.flush()
        case .respond(let failure):
            dropLease(reuse: false)
            if failure == .unexpectedUpgrade {
                active?.note = "the app switched protocols on a request that did not ask to"
            } else if active?.note == nil {
                active?.note = "the app closed the connection before answering"
            }
            let host = active?.host ?? "-"
            switch failure {
            case .timedOut: respond(.gatewayTimeout(host))
            case .notAwake: respond(.unavailable("The service is asleep and did not wake in time. Try again in a moment."))
            case .unreachable, .unexpectedUpgrade: respond(.badGateway(host))
            }
        case .retryOnFreshConnection:
            dropLease(reuse: false)
            connect(fresh: true)
        case .sendInformational(let head):
            context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
        case .sendResponseHead(let head):
            active?.status = head.status
            context.write(wrapOutboundOut(.head(head)), promise: nil)
        case .sendResponseBody(let buffer):
            active?.bytesSent += buffer.readableBytes
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            if !context.channel.isWritable { lease?.handler.pauseReads() }
        case .finishResponse(let trailers, let keepClientAlive, let reuseUpstream):
            dropLease(reuse: reuseUpstream)
            endResponse(trailers: trailers, keepAlive: keepClientAlive)
        case .abortClient:
            dropLease(reuse: false)
            if var request = active {
                request.note = exchange?.isOverBodyLimit == true
                    ? "the request body outgrew the \(environment.maxRequestBodySize)-byte limit after the response started"
                    : "the app closed the connection in the middle of its response"
                log(request)
            }
            active = nil
            exchange = nil
            context.close(promise: nil)
        case .closeUpstream:
            dropLease(reuse: false)
        }
    }

    /// Ends this handler's use of the upstream connection: back to the pool, or closed.
    private func dropLease(reuse: Bool) {
        guard let lease else { return }
        self.lease = nil
        lease.handler.detach()
        if reuse, let loopPool {
            loopPool.release(lease)
        } else {
            lease.channel.close(promise: nil)
        }
    }

    func resumeReadsIfUnblocked() {
        guard readBlock.isEmpty, readPending, !holdsReadsForPipelining, let context else { return }
        readPending = false
        context.read()
    }

    static func isConnectTimeout(_ error: Error) -> Bool {
        if case ChannelError.connectTimeout = error { return true }
        if let error = error as? NIOConnectionError {
            return error.connectionErrors.contains { attempt in
                if case ChannelError.connectTimeout = attempt.error { return true }
                return false
            }
        }
        return false
    }

    // MARK: answers made by the edge (pages and whole responses: EdgeConnectionHandler+Answers.swift)

    /// Writes the response end after resetting the per-request state, then answers the next
    /// pipelined request, if one is waiting.
    func endResponse(trailers: HTTPHeaders?, keepAlive: Bool) {
        guard let context else { return }
        if let request = active { log(request) }
        active = nil
        exchange = nil
        readBlock = []
        timeouts?.responseEnded()
        if keepAlive && !quiescing {
            context.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: nil)
            deliverPipelined()
            resumeReadsIfUnblocked()
            fastPath?.slowResponseEnded()
        } else if lingering {
            // Closing with the client's body still arriving would reset the connection, and a
            // reset can destroy the answer before the client reads it: send FIN, drain, then close.
            resumeReadsIfUnblocked()
            let channel = context.channel
            let lingerTime = Self.lingerTime
            context.writeAndFlush(wrapOutboundOut(.end(trailers))).whenComplete { _ in
                channel.close(mode: .output, promise: nil)
                channel.eventLoop.scheduleTask(in: lingerTime) { channel.close(promise: nil) }
            }
        } else {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(trailers))).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }
}

extension EdgeConnectionHandler: UpstreamHandlerDelegate {
    func upstreamRead(_ part: HTTPClientResponsePart) {
        guard exchange != nil else { return }
        switch part {
        case .head(let head):
            perform(exchange!.responseHeadReceived(head))
        case .body(let buffer):
            perform(exchange!.responseBodyReceived(buffer))
        case .end(let trailers):
            perform(exchange!.responseEndReceived(trailers: trailers))
        }
    }

    func upstreamReadComplete() {
        context?.flush()
    }

    func upstreamWritabilityChanged(isWritable: Bool) {
        guard isWritable else { return }
        readBlock.remove(.upstreamFull)
        resumeReadsIfUnblocked()
    }

    func upstreamClosed() {
        lease = nil
        guard exchange != nil else { return }
        perform(exchange!.upstreamClosed())
    }
}

@available(*, unavailable)
extension EdgeConnectionHandler: Sendable {}
