import NIOCore
import NIOHTTP1
import Testing

@testable import RailyardEdge

@Suite("Proxy exchange: body limit and WebSocket upgrade decisions")
struct ExchangeLimitsAndUpgradeTests {
    let summary = ProxyHeaders.RequestSummary(method: .GET, version: .http1_1, keepAlive: true, requestID: "rid")
    let upgradeHead = HTTPRequestHead(
        version: .http1_1,
        method: .GET,
        uri: "/ws",
        headers: ["Host": "a.localhost", "Connection": "keep-alive, Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Key": "k"]
    )

    func post(_ headers: HTTPHeaders) -> HTTPRequestHead {
        HTTPRequestHead(version: .http1_1, method: .POST, uri: "/upload", headers: headers)
    }

    func switching(_ headers: HTTPHeaders = ["Connection": "Upgrade", "Upgrade": "websocket"]) -> HTTPResponseHead {
        HTTPResponseHead(version: .http1_1, status: .switchingProtocols, headers: headers)
    }

    @Test("a declared body over the limit is refused before connecting; one at the limit connects")
    func declaredLength() {
        var over = ProxyExchange(request: post(["Content-Length": "101"]), summary: summary, maxRequestBodySize: 100)
        #expect(over.start() == .refuseBody)
        #expect(over.requestBodyReceived(ByteBuffer(string: "x")) == .dropRequestPart)
        #expect(over.upstreamConnected(reused: false) == .closeUpstream)

        var atLimit = ProxyExchange(request: post(["Content-Length": "100"]), summary: summary, maxRequestBodySize: 100)
        #expect(atLimit.start() == .connect(upgrade: false))
    }

    @Test("a chunked body that outgrows the limit is refused with 413 before the response, cut after it")
    func chunkedOverflow() {
        let chunk = ByteBuffer(repeating: 0x61, count: 60)
        var early = ProxyExchange(request: post(["Transfer-Encoding": "chunked"]), summary: summary, maxRequestBodySize: 100)
        #expect(early.start() == .connect(upgrade: false))
        _ = early.upstreamConnected(reused: false)
        #expect(early.requestBodyReceived(chunk) == .forwardRequestBody(chunk))
        #expect(early.requestBodyReceived(chunk) == .refuseBody)
        #expect(early.isOverBodyLimit)
        #expect(early.requestBodyReceived(chunk) == .dropRequestPart)
        #expect(early.requestEndReceived(trailers: nil) == .dropRequestPart)

        var connecting = ProxyExchange(request: post(["Transfer-Encoding": "chunked"]), summary: summary, maxRequestBodySize: 100)
        _ = connecting.start()
        #expect(connecting.requestBodyReceived(chunk) == .none)
        #expect(connecting.requestBodyReceived(chunk) == .refuseBody)

        var late = ProxyExchange(request: post(["Transfer-Encoding": "chunked"]), summary: summary, maxRequestBodySize: 100)
        _ = late.start()
        _ = late.upstreamConnected(reused: false)
        _ = late.responseHeadReceived(HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Transfer-Encoding": "chunked"]))
        #expect(late.requestBodyReceived(chunk) == .forwardRequestBody(chunk))
        #expect(late.requestBodyReceived(chunk) == .abortClient)
        #expect(late.responseBodyReceived(ByteBuffer(string: "more")) == .none)
    }

    @Test("a WebSocket handshake connects fresh; the app's 101 becomes a tunnel when its message ends")
    func upgradeAccepted() {
        let request = ProxyHeaders.upstreamRequest(from: upgradeHead, clientAddress: nil, requestID: "rid")
        var exchange = ProxyExchange(request: request, summary: summary)
        #expect(exchange.isUpgrade)
        #expect(exchange.start() == .connect(upgrade: true))
        _ = exchange.requestEndReceived(trailers: nil)
        #expect(exchange.upstreamConnected(reused: false) == .sendRequest(head: request, body: [], end: .init(trailers: nil)))
        #expect(exchange.responseHeadReceived(switching(["Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Accept": "abc", "Keep-Alive": "x"])) == .none)
        #expect(!exchange.hasStartedResponse)
        guard case .startTunnel(let head) = exchange.responseEndReceived(trailers: nil) else {
            Issue.record("expected a tunnel")
            return
        }
        #expect(head.status == .switchingProtocols)
        #expect(head.headers["connection"] == ["upgrade"])
        #expect(head.headers["upgrade"] == ["websocket"])
        #expect(head.headers["sec-websocket-accept"] == ["abc"])
        #expect(head.headers["keep-alive"].isEmpty)
        #expect(head.headers["x-request-id"] == ["rid"])
        #expect(exchange.isResponseComplete)
    }

    @Test("a refused handshake is an ordinary response, and the client connection closes after it")
    func upgradeRefused() {
        let request = ProxyHeaders.upstreamRequest(from: upgradeHead, clientAddress: nil, requestID: "rid")
        let closing = ProxyHeaders.RequestSummary(method: .GET, version: .http1_1, keepAlive: false, requestID: "rid")
        var exchange = ProxyExchange(request: request, summary: closing)
        _ = exchange.start()
        _ = exchange.requestEndReceived(trailers: nil)
        _ = exchange.upstreamConnected(reused: false)
        guard case .sendResponseHead(let head) = exchange.responseHeadReceived(HTTPResponseHead(version: .http1_1, status: .badRequest, headers: ["Content-Length": "0"])) else {
            Issue.record("expected the 400 to be relayed")
            return
        }
        #expect(head.headers["connection"] == ["close"])
        #expect(exchange.responseEndReceived(trailers: nil) == .finishResponse(trailers: nil, keepClientAlive: false, reuseUpstream: false))
    }

    @Test("a 101 to a request that did not ask for one is a 502")
    func unexpectedUpgrade() {
        let plain = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: ["Host": "a.localhost"])
        var exchange = ProxyExchange(request: plain, summary: summary)
        #expect(exchange.start() == .connect(upgrade: false))
        _ = exchange.requestEndReceived(trailers: nil)
        _ = exchange.upstreamConnected(reused: false)
        #expect(exchange.responseHeadReceived(switching()) == .respond(.unexpectedUpgrade))
        #expect(exchange.responseEndReceived(trailers: nil) == .none)
    }

    @Test("the app closing between its 101 and the tunnel is a 502")
    func closedWhileSwitching() {
        let request = ProxyHeaders.upstreamRequest(from: upgradeHead, clientAddress: nil, requestID: "rid")
        var exchange = ProxyExchange(request: request, summary: summary)
        _ = exchange.start()
        _ = exchange.requestEndReceived(trailers: nil)
        _ = exchange.upstreamConnected(reused: false)
        _ = exchange.responseHeadReceived(switching())
        #expect(exchange.upstreamClosed() == .respond(.unreachable))
    }
}

@Suite("Upgrade headers")
struct UpgradeHeadersTests {
    @Test("the WebSocket handshake keeps Connection: upgrade and Upgrade; other hop-by-hop headers still go")
    func keepsHandshake() {
        let head = HTTPRequestHead(
            version: .http1_1,
            method: .GET,
            uri: "/ws",
            headers: ["Host": "a.localhost", "Connection": "Upgrade, x-hop", "Upgrade": "websocket", "X-Hop": "1", "Keep-Alive": "t"]
        )
        let out = ProxyHeaders.upstreamRequest(from: head, clientAddress: nil, requestID: "rid")
        #expect(out.headers["connection"] == ["upgrade"])
        #expect(out.headers["upgrade"] == ["websocket"])
        #expect(out.headers["x-hop"].isEmpty)
        #expect(out.headers["keep-alive"].isEmpty)
    }

    @Test(
        "which requests are WebSocket handshakes, and which stop the client's HTTP parser",
        arguments: [
            (HTTPMethod.GET, HTTPVersion.http1_1, "Upgrade", "websocket", true, true),
            (.GET, .http1_1, "keep-alive, upgrade", "WebSocket", true, true),
            (.GET, .http1_1, "keep-alive", "websocket", false, false),
            (.GET, .http1_1, "upgrade", "h2c", false, true),
            (.POST, .http1_1, "upgrade", "websocket", false, true),
            (.GET, .http1_0, "upgrade", "websocket", false, true),
        ]
    )
    func classifies(method: HTTPMethod, version: HTTPVersion, connection: String, upgrade: String, websocket: Bool, switches: Bool) {
        let head = HTTPRequestHead(version: version, method: method, uri: "/", headers: ["Connection": connection, "Upgrade": upgrade])
        #expect(ProxyHeaders.isWebSocketUpgrade(head) == websocket)
        #expect(ProxyHeaders.asksToSwitchProtocols(head) == switches)
    }

    @Test("CONNECT stops the parser too; a plain request does not")
    func connect() {
        #expect(ProxyHeaders.asksToSwitchProtocols(HTTPRequestHead(version: .http1_1, method: .CONNECT, uri: "a:443")))
        #expect(!ProxyHeaders.asksToSwitchProtocols(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")))
    }
}
