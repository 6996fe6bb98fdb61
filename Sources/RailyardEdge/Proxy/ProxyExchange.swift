import NIOCore
import NIOHTTP1

/// The life of one proxied request as a value: the connection handler feeds it what happened on
/// either socket and does the I/O it returns. Nothing here touches a channel, so the decisions
/// (buffer or forward, retry or 502, reuse or close, 413, tunnel) are tested step by step without
/// sockets.
struct ProxyExchange {
    /// Why the upstream attempt failed before a response started.
    enum Failure: Equatable {
        /// The replica refused or dropped the connection: 502.
        case unreachable
        /// Connecting took longer than the connect timeout: 504.
        case timedOut
        /// The app answered `101 Switching Protocols` to a request that did not ask for it: 502.
        case unexpectedUpgrade
        /// The service was asleep and did not wake in time (or came back without replicas): 503.
        case notAwake
    }

    /// The client finished its request, with these trailers (usually none).
    struct RequestEnd: Equatable {
        var trailers: HTTPHeaders?
    }

    /// What the connection handler must do next.
    enum Action: Equatable {
        case none
        /// Get an upstream connection: a pooled one, or for an upgrade a fresh one that will never
        /// go back to the pool.
        case connect(upgrade: Bool)
        /// The request body is over the limit and no response went out: answer 413, close the
        /// upstream connection (if any) and then the client connection (the rest of the body is
        /// never read).
        case refuseBody
        /// The app switched protocols: send this 101 to the client, then splice the two
        /// connections into a byte tunnel. The exchange is over.
        case startTunnel(HTTPResponseHead)
        /// Write the request head, the body parts that arrived while connecting and, if it came,
        /// the end; then flush. Client reads may resume.
        case sendRequest(head: HTTPRequestHead, body: [ByteBuffer], end: RequestEnd?)
        case forwardRequestBody(ByteBuffer)
        case forwardRequestEnd(HTTPHeaders?)
        /// The response is over (or failed): this part of the request body is discarded.
        case dropRequestPart
        /// Answer with an edge page; the upstream connection (if any) is closed.
        case respond(Failure)
        /// The reused keep-alive connection died before answering a request that is safe to
        /// replay: close it and send the same request on a fresh connection.
        case retryOnFreshConnection
        case sendInformational(HTTPResponseHead)
        case sendResponseHead(HTTPResponseHead)
        case sendResponseBody(ByteBuffer)
        /// Write the response end; keep or close the client connection; return the upstream
        /// connection to the pool or close it.
        case finishResponse(trailers: HTTPHeaders?, keepClientAlive: Bool, reuseUpstream: Bool)
        /// The response was cut off after its head went out: close the client connection, the only
        /// way left to tell the client something went wrong.
        case abortClient
        /// The client is gone: close the upstream connection (now, or when it arrives).
        case closeUpstream
    }

    private enum Upstream {
        /// Waiting for a connection; body parts are held (reads are paused, so at most one read's
        /// worth). `end` is set once the client finished.
        case connecting(body: [ByteBuffer], end: RequestEnd?)
        /// The request head went out; body parts go straight through.
        case forwarding(reused: Bool)
        /// Nothing more goes upstream.
        case finished
    }

    private enum Response {
        case waiting
        /// The app answered 101 to an upgrade; its head goes out when the 101 message ends.
        case switching(HTTPResponseHead)
        case streaming(ProxyHeaders.ResponsePlan)
        case complete
    }

    /// The request head as the app receives it.
    let request: HTTPRequestHead
    /// The client's request, for framing the response.
    private(set) var summary: ProxyHeaders.RequestSummary
    /// The most request-body bytes that may reach the app.
    let maxRequestBodySize: Int
    /// A WebSocket handshake, to become a tunnel if the app agrees.
    let isUpgrade: Bool

    private var upstream: Upstream = .connecting(body: [], end: nil)
    private var response: Response = .waiting
    private var requestComplete = false
    private var requestBodyBytes = 0
    private var retried = false
    /// The request body went over `maxRequestBodySize`.
    private(set) var isOverBodyLimit = false
    private var endTrailers: HTTPHeaders?

    init(request: HTTPRequestHead, summary: ProxyHeaders.RequestSummary, maxRequestBodySize: Int = .max) {
        self.request = request
        self.summary = summary
        self.maxRequestBodySize = maxRequestBodySize
        self.isUpgrade = ProxyHeaders.isWebSocketUpgrade(request)
    }

    /// True once the response is over, however it ended.
    var isResponseComplete: Bool {
        if case .complete = response { return true }
        return false
    }

    /// True once the response head has gone to the client.
    var hasStartedResponse: Bool {
        switch response {
        case .waiting, .switching: false
        case .streaming, .complete: true
        }
    }

    // MARK: client side

    /// The client connection closes after this response (a graceful shutdown began): a response
    /// head not yet sent says so.
    mutating func closeClientAfterResponse() {
        summary.keepAlive = false
    }

    /// The first step, right after the request head: connect, or refuse a declared body that is
    /// over the limit without bothering the app.
    mutating func start() -> Action {
        if let length = request.headers.first(name: "content-length").flatMap({ Int($0) }), length > maxRequestBodySize {
            upstream = .finished
            response = .complete
            return .refuseBody
        }
        return .connect(upgrade: isUpgrade)
    }

    mutating func requestBodyReceived(_ buffer: ByteBuffer) -> Action {
        if case .finished = upstream { return .dropRequestPart }
        requestBodyBytes += buffer.readableBytes
        if requestBodyBytes > maxRequestBodySize {
            // A chunked body that outgrew the limit: the app's request is cut off either way.
            isOverBodyLimit = true
            upstream = .finished
            let started = hasStartedResponse
            response = .complete
            return started ? .abortClient : .refuseBody
        }
        switch upstream {
        case .connecting(var body, let end):
            body.append(buffer)
            upstream = .connecting(body: body, end: end)
            return .none
        case .forwarding:
            return .forwardRequestBody(buffer)
        case .finished:
            return .dropRequestPart
        }
    }

    mutating func requestEndReceived(trailers: HTTPHeaders?) -> Action {
        requestComplete = true
        endTrailers = trailers
        switch upstream {
        case .connecting(let body, _):
            upstream = .connecting(body: body, end: RequestEnd(trailers: trailers))
            return .none
        case .forwarding:
            return .forwardRequestEnd(trailers)
        case .finished:
            return .dropRequestPart
        }
    }

    mutating func clientClosed() -> Action {
        let wasFinished: Bool
        if case .finished = upstream { wasFinished = true } else { wasFinished = false }
        upstream = .finished
        response = .complete
        return wasFinished ? .none : .closeUpstream
    }

    // MARK: upstream side

    mutating func upstreamConnected(reused: Bool) -> Action {
        switch upstream {
        case .connecting(let body, let end):
            upstream = .forwarding(reused: reused)
            return .sendRequest(head: request, body: body, end: end)
        case .forwarding, .finished:
            return .closeUpstream
        }
    }

    mutating func upstreamConnectFailed(_ failure: Failure) -> Action {
        guard case .connecting = upstream else { return .none }
        upstream = .finished
        response = .complete
        return .respond(failure)
    }

    mutating func responseHeadReceived(_ head: HTTPResponseHead) -> Action {
        guard case .waiting = response else { return .none }
        if head.status == .switchingProtocols {
            guard isUpgrade, requestComplete, case .forwarding = upstream else {
                // The app's connection now speaks something else; nothing sensible can follow.
                upstream = .finished
                response = .complete
                return .respond(.unexpectedUpgrade)
            }
            response = .switching(ProxyHeaders.switchingProtocolsResponse(from: head, for: summary))
            return .none
        }
        if (100..<200).contains(head.status.code) && head.status != .switchingProtocols {
            guard let informational = ProxyHeaders.informationalResponse(from: head, for: summary) else {
                return .none
            }
            return .sendInformational(informational)
        }
        let plan = ProxyHeaders.clientResponse(from: head, for: summary)
        response = .streaming(plan)
        return .sendResponseHead(plan.head)
    }

    mutating func responseBodyReceived(_ buffer: ByteBuffer) -> Action {
        guard case .streaming = response else { return .none }
        return .sendResponseBody(buffer)
    }

    mutating func responseEndReceived(trailers: HTTPHeaders?) -> Action {
        if case .switching(let head) = response {
            upstream = .finished
            response = .complete
            return .startTunnel(head)
        }
        guard case .streaming(let plan) = response else { return .none }
        var forwarding = false
        if case .forwarding = upstream { forwarding = true }
        // After a refused handshake the app may have stopped reading HTTP on that connection.
        let reuse = plan.upstreamReusable && requestComplete && forwarding && !isUpgrade
        upstream = .finished
        response = .complete
        return .finishResponse(trailers: trailers, keepClientAlive: plan.clientKeepAlive, reuseUpstream: reuse)
    }

    /// The upstream connection closed or failed (the handler does not report a close it caused).
    mutating func upstreamClosed() -> Action {
        switch response {
        case .waiting, .switching:
            guard case .forwarding(let reused) = upstream else { return .none }
            if reused && !retried && requestComplete && requestBodyBytes == 0 {
                retried = true
                upstream = .connecting(body: [], end: RequestEnd(trailers: endTrailers))
                return .retryOnFreshConnection
            }
            upstream = .finished
            response = .complete
            return .respond(.unreachable)
        case .streaming:
            upstream = .finished
            response = .complete
            return .abortClient
        case .complete:
            return .none
        }
    }
}
