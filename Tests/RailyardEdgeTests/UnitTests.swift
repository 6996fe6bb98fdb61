import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import RailyardEdge

@Suite("Route table")
struct RouteTableTests {
    @Test("hosts match case-insensitively, without port or trailing dot")
    func normalisesHosts() {
        let table = RouteTable()
        table.set(.unavailable("x"), for: "App.Example.COM")
        for host in ["app.example.com", "APP.example.com:8080", "app.example.com.", " app.example.com "] {
            #expect(table.route(for: host) == .unavailable("x"), "\(host)")
        }
        #expect(HostName.normalize("[::1]:8080") == "[::1]")
        #expect(HostName.normalize(":80") == nil)
        table.remove(host: "APP.EXAMPLE.COM:1")
        #expect(table.route(for: "app.example.com") == nil)
    }

    @Test("replicas are picked round robin, and a new route starts a new rotation")
    func roundRobin() {
        let table = RouteTable()
        let a = Upstream(host: "10.0.0.1", port: 1)
        let b = Upstream(host: "10.0.0.2", port: 2)
        let c = Upstream(host: "10.0.0.3", port: 3)
        table.set(.upstreams([a, b, c]), for: "x.localhost")
        let picks = (0..<6).map { _ in table.resolve(host: "x.localhost") }
        #expect(picks == [.proxy(a), .proxy(b), .proxy(c), .proxy(a), .proxy(b), .proxy(c)])
        table.set(.upstreams([]), for: "x.localhost")
        #expect(table.resolve(host: "x.localhost") == .unavailable("No replica of this service is running right now."))
        #expect(table.resolve(host: "y.localhost") == .unknownHost)
    }
}

@Suite("Proxy header rewriting")
struct ProxyHeadersTests {
    func summary(_ method: HTTPMethod = .GET, version: HTTPVersion = .http1_1, keepAlive: Bool = true) -> ProxyHeaders.RequestSummary {
        .init(method: method, version: version, keepAlive: keepAlive, requestID: "rid")
    }

    @Test("a chunked request stays chunked upstream and loses a conflicting Content-Length")
    func requestFraming() {
        let head = HTTPRequestHead(
            version: .http1_0,
            method: .POST,
            uri: "/x",
            headers: ["Host": "a.localhost", "Transfer-Encoding": "chunked", "Content-Length": "3"]
        )
        let out = ProxyHeaders.upstreamRequest(from: head, clientAddress: "192.0.2.1", requestID: "rid")
        #expect(out.version == .http1_1)
        #expect(out.headers["transfer-encoding"] == ["chunked"])
        #expect(out.headers["content-length"].isEmpty)
        #expect(out.headers["x-forwarded-for"] == ["192.0.2.1"])
    }

    @Test("absolute-form targets reach the app in origin form")
    func originForm() {
        #expect(ProxyHeaders.originForm("http://a.localhost/x/y?z=1") == "/x/y?z=1")
        #expect(ProxyHeaders.originForm("http://a.localhost") == "/")
        #expect(ProxyHeaders.originForm("http://a.localhost?q") == "/?q")
        #expect(ProxyHeaders.originForm("/plain?q") == "/plain?q")
        #expect(ProxyHeaders.originForm("*") == "*")
    }

    @Test("a client cannot strip Host or Content-Length by naming them in Connection")
    func protectedHeaders() {
        let head = HTTPRequestHead(
            version: .http1_1,
            method: .POST,
            uri: "/",
            headers: ["Host": "a.localhost", "Content-Length": "2", "Connection": "host, content-length, x-drop", "X-Drop": "1"]
        )
        let out = ProxyHeaders.upstreamRequest(from: head, clientAddress: nil, requestID: "rid")
        #expect(out.headers["host"] == ["a.localhost"])
        #expect(out.headers["content-length"] == ["2"])
        #expect(out.headers["x-drop"].isEmpty)
        #expect(out.headers["x-forwarded-host"] == ["a.localhost"])
    }

    @Test("response framing follows the client's version and the method")
    func responseFraming() {
        let chunked = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Transfer-Encoding": "chunked", "Keep-Alive": "timeout=5"])
        let http11 = ProxyHeaders.clientResponse(from: chunked, for: summary())
        #expect(http11.head.headers["transfer-encoding"] == ["chunked"])
        #expect(http11.head.headers["keep-alive"].isEmpty)
        #expect(http11.clientKeepAlive && http11.upstreamReusable)
        #expect(http11.head.headers["x-request-id"] == ["rid"])

        let http10 = ProxyHeaders.clientResponse(from: chunked, for: summary(version: .http1_0, keepAlive: true))
        #expect(http10.head.headers["transfer-encoding"].isEmpty)
        #expect(!http10.clientKeepAlive)
        #expect(http10.head.headers["connection"] == ["close"])

        let head = ProxyHeaders.clientResponse(from: chunked, for: summary(.HEAD))
        #expect(head.head.headers["transfer-encoding"].isEmpty)
        #expect(head.clientKeepAlive)

        let sized = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Length": "5"])
        let http10KeepAlive = ProxyHeaders.clientResponse(from: sized, for: summary(version: .http1_0, keepAlive: true))
        #expect(http10KeepAlive.clientKeepAlive)
        #expect(http10KeepAlive.head.headers["connection"] == ["keep-alive"])

        let closeDelimited = HTTPResponseHead(version: .http1_0, status: .ok)
        #expect(!ProxyHeaders.clientResponse(from: closeDelimited, for: summary()).upstreamReusable)

        let noContent = HTTPResponseHead(version: .http1_1, status: .noContent, headers: ["Content-Length": "0"])
        let plan = ProxyHeaders.clientResponse(from: noContent, for: summary())
        #expect(plan.head.headers["content-length"].isEmpty && plan.head.headers["transfer-encoding"].isEmpty)
        #expect(plan.upstreamReusable)
    }
}

@Suite("Proxy exchange decisions")
struct ProxyExchangeTests {
    let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: ["Host": "a.localhost"])
    let summary = ProxyHeaders.RequestSummary(method: .GET, version: .http1_1, keepAlive: true, requestID: "rid")

    @Test("body parts that arrive while connecting are sent after the head, in order")
    func buffersWhileConnecting() {
        var exchange = ProxyExchange(request: head, summary: summary)
        let one = ByteBuffer(string: "one")
        let two = ByteBuffer(string: "two")
        #expect(exchange.requestBodyReceived(one) == .none)
        #expect(exchange.requestBodyReceived(two) == .none)
        #expect(exchange.upstreamConnected(reused: false) == .sendRequest(head: head, body: [one, two], end: nil))
        #expect(exchange.requestEndReceived(trailers: nil) == .forwardRequestEnd(nil))
    }

    @Test("a full exchange reuses the upstream connection only when both sides finished cleanly")
    func reuse() {
        var exchange = ProxyExchange(request: head, summary: summary)
        #expect(exchange.requestEndReceived(trailers: nil) == .none)
        #expect(exchange.upstreamConnected(reused: false) == .sendRequest(head: head, body: [], end: .init(trailers: nil)))
        guard case .sendResponseHead = exchange.responseHeadReceived(HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Length": "2"])) else {
            Issue.record("expected the response head to be sent")
            return
        }
        #expect(exchange.responseBodyReceived(ByteBuffer(string: "hi")) == .sendResponseBody(ByteBuffer(string: "hi")))
        #expect(exchange.responseEndReceived(trailers: nil) == .finishResponse(trailers: nil, keepClientAlive: true, reuseUpstream: true))
        #expect(exchange.isResponseComplete)
    }

    @Test("a response that ends before the request body does closes the upstream connection")
    func earlyResponse() {
        var exchange = ProxyExchange(request: head, summary: summary)
        _ = exchange.upstreamConnected(reused: false)
        _ = exchange.responseHeadReceived(HTTPResponseHead(version: .http1_1, status: .payloadTooLarge, headers: ["Content-Length": "0"]))
        #expect(exchange.responseEndReceived(trailers: nil) == .finishResponse(trailers: nil, keepClientAlive: true, reuseUpstream: false))
        #expect(exchange.requestBodyReceived(ByteBuffer(string: "late")) == .dropRequestPart)
    }

    @Test("a reused connection dying before the response retries once for a bodiless request")
    func retry() {
        var exchange = ProxyExchange(request: head, summary: summary)
        _ = exchange.requestEndReceived(trailers: nil)
        _ = exchange.upstreamConnected(reused: true)
        #expect(exchange.upstreamClosed() == .retryOnFreshConnection)
        #expect(exchange.upstreamConnected(reused: true) == .sendRequest(head: head, body: [], end: .init(trailers: nil)))
        #expect(exchange.upstreamClosed() == .respond(.unreachable))
    }

    @Test("no retry with a body, on a fresh connection, or after the response started")
    func noRetry() {
        var withBody = ProxyExchange(request: head, summary: summary)
        _ = withBody.requestBodyReceived(ByteBuffer(string: "x"))
        _ = withBody.requestEndReceived(trailers: nil)
        _ = withBody.upstreamConnected(reused: true)
        #expect(withBody.upstreamClosed() == .respond(.unreachable))

        var fresh = ProxyExchange(request: head, summary: summary)
        _ = fresh.requestEndReceived(trailers: nil)
        _ = fresh.upstreamConnected(reused: false)
        #expect(fresh.upstreamClosed() == .respond(.unreachable))

        var started = ProxyExchange(request: head, summary: summary)
        _ = started.requestEndReceived(trailers: nil)
        _ = started.upstreamConnected(reused: true)
        _ = started.responseHeadReceived(HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Length": "9"]))
        #expect(started.upstreamClosed() == .abortClient)
    }

    @Test("connect failures map to 502 and 504; a client that left closes what arrives later")
    func connectOutcomes() {
        var refused = ProxyExchange(request: head, summary: summary)
        #expect(refused.upstreamConnectFailed(.unreachable) == .respond(.unreachable))
        var slow = ProxyExchange(request: head, summary: summary)
        #expect(slow.upstreamConnectFailed(.timedOut) == .respond(.timedOut))
        var gone = ProxyExchange(request: head, summary: summary)
        #expect(gone.clientClosed() == .closeUpstream)
        #expect(gone.upstreamConnected(reused: false) == .closeUpstream)
    }

    @Test("100 Continue is relayed to HTTP/1.1 clients only")
    func informational() {
        var exchange = ProxyExchange(request: head, summary: summary)
        _ = exchange.upstreamConnected(reused: false)
        guard case .sendInformational = exchange.responseHeadReceived(HTTPResponseHead(version: .http1_1, status: .continue)) else {
            Issue.record("expected 100 Continue to be relayed")
            return
        }
        var old = ProxyExchange(request: head, summary: .init(method: .GET, version: .http1_0, keepAlive: false, requestID: "r"))
        _ = old.upstreamConnected(reused: false)
        #expect(old.responseHeadReceived(HTTPResponseHead(version: .http1_1, status: .continue)) == .none)
        #expect(!old.hasStartedResponse)
    }
}

@Suite("Static file paths")
struct StaticFilePathTests {
    @Test("decodes, drops empty and dot segments, keeps the query for redirects")
    func parses() throws {
        let path = try StaticFilePath.parse("/a//./b%20c/?q=1#frag")
        #expect(path.segments == ["a", "b c"])
        #expect(path.trailingSlash)
        #expect(path.urlPath(trailingSlash: true) == "/a/b%20c/?q=1")
        #expect(try StaticFilePath.parse("/").segments.isEmpty)
        #expect(try StaticFilePath.parse("/.well-known/x").segments == [".well-known", "x"])
        #expect(try StaticFilePath.parse("/app.JS").fileExtension == "js")
    }

    @Test(
        "refuses traversal, encoded separators, NUL, bad escapes and dotfiles",
        arguments: [
            ("/../x", StaticFilePath.Refusal.forbidden),
            ("/a/%2e%2e/x", .forbidden),
            ("/a/..%2fx", .malformed),
            ("/a%00b", .malformed),
            ("/%zz", .malformed),
            ("/%", .malformed),
            ("/%ff", .malformed),
            ("/.git/config", .forbidden),
            ("/a/.env", .forbidden),
            ("relative", .malformed),
        ]
    )
    func refuses(target: String, refusal: StaticFilePath.Refusal) {
        #expect(throws: refusal) { try StaticFilePath.parse(target) }
    }

    @Test("a redirect built from a crafted path cannot leave the site")
    func redirectStaysOnSite() throws {
        let path = try StaticFilePath.parse("//evil.example")
        #expect(path.urlPath(trailingSlash: true) == "/evil.example/")
    }

    @Test("content types by extension")
    func contentTypes() {
        #expect(ContentType.forExtension("woff2") == "font/woff2")
        #expect(ContentType.forExtension("map") == "application/json")
        #expect(ContentType.forExtension(nil) == "application/octet-stream")
        #expect(HTTPDate.format(secondsSince1970: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }
}

@Suite("Edge pages")
struct EdgePageTests {
    @Test("pages escape what came from the request")
    func escapes() {
        let html = EdgePage.unknownHost("<img src=x onerror=alert(1)>").html
        #expect(!html.contains("<img"))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
    }
}

@Suite("Request ids")
struct RequestIDTests {
    @Test("generated ids are 32 lowercase hex digits, distinct per request and per connection; sane incoming ids are kept")
    func ids() {
        var first = RequestID.Generator()
        var second = RequestID.Generator()
        var seen: Set<String> = []
        for _ in 0..<1000 {
            for id in [first.next(), second.next()] {
                #expect(id.utf8.count == 32 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(id)")
                seen.insert(id)
            }
        }
        #expect(seen.count == 2000)
        #expect(RequestID.resolve(incoming: "from-the-client-1", generator: &first) == "from-the-client-1")
        #expect(RequestID.resolve(incoming: "has space", generator: &first).utf8.count == 32)
        #expect(RequestID.resolve(incoming: String(repeating: "a", count: 201), generator: &first).utf8.count == 32)
    }
}
