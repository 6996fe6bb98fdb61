import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import RailyardEdge

/// A client connection's whole pipeline (idle timer, header timer, HTTP codec, connection handler)
/// on an `EmbeddedChannel`: bytes in, bytes out, time moved by hand. Nothing here reaches an app,
/// so only answers the edge gives itself are tested this way.
struct EmbeddedEdge {
    let channel = EmbeddedChannel()
    let routes = RouteTable()

    init(configuration: EdgeServer.Configuration = .init()) throws {
        let environment = EdgeEnvironment(
            routes: routes,
            pool: UpstreamPool(connectTimeout: .seconds(1), idleTimeout: .seconds(1), maxIdlePerUpstream: 1),
            files: StaticFileResolver(),
            threadPool: .singleton,
            logger: Logger(label: "edge-embedded", factory: { _ in SwiftLogNoOpLogHandler() }),
            maxRequestBodySize: configuration.maxRequestBodySize,
            tunnelIdleTimeout: TimeAmount(configuration.tunnelIdleTimeout)
        )
        try EdgeServer.configureClientPipeline(channel, environment: environment, configuration: configuration)
        try channel.connect(to: SocketAddress(ipAddress: "192.0.2.7", port: 40000)).wait()
    }

    func send(_ text: String) throws {
        try channel.writeInbound(ByteBuffer(string: text))
    }

    /// Everything the edge wrote since the last call.
    func output() throws -> String {
        var text = ""
        while let part = try channel.readOutbound(as: Any.self) {
            switch part {
            case let buffer as ByteBuffer: text += String(buffer: buffer)
            case let data as IOData:
                if case .byteBuffer(let buffer) = data { text += String(buffer: buffer) }
            default: Issue.record("unexpected outbound \(type(of: part))")
            }
        }
        return text
    }

    func advance(by amount: TimeAmount) {
        channel.embeddedEventLoop.advanceTime(by: amount)
    }

    var isOpen: Bool { channel.isActive }
}

@Suite("Client connection handlers on an embedded channel")
struct EmbeddedHandlerTests {
    static let shortHeadTimeout: EdgeServer.Configuration = {
        var configuration = EdgeServer.Configuration()
        configuration.requestHeadTimeout = .seconds(10)
        configuration.clientIdleTimeout = .seconds(75)
        configuration.maxRequestBodySize = 1000
        return configuration
    }()

    @Test("routing: an unknown host gets the 404 page, an unavailable one the 503, on one keep-alive connection")
    func routing() throws {
        let edge = try EmbeddedEdge()
        edge.routes.set(.unavailable("Building."), for: "api.localhost")
        try edge.send("GET / HTTP/1.1\r\nHost: nothing.localhost\r\n\r\n")
        let first = RawResponse(try edge.output())
        #expect(first.statusLine == "HTTP/1.1 404 Not Found")
        #expect(first.headers["x-request-id"]?.count == 32)
        try edge.send("GET / HTTP/1.1\r\nHost: API.localhost:80\r\nX-Request-Id: mine\r\n\r\n")
        let second = RawResponse(try edge.output())
        #expect(second.statusLine == "HTTP/1.1 503 Service Unavailable")
        #expect(second.body.contains("Building."))
        #expect(second.headers["x-request-id"] == "mine")
        #expect(edge.isOpen)
    }

    @Test("a declared body over the limit gets 413 and Connection: close, without a connection to the app")
    func bodyLimit() throws {
        let edge = try EmbeddedEdge(configuration: Self.shortHeadTimeout)
        // A pool on an embedded loop cannot connect: reaching the app here would fail the test.
        edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: 9)]), for: "app.localhost")
        try edge.send("POST /upload HTTP/1.1\r\nHost: app.localhost\r\nContent-Length: 1001\r\n\r\n")
        let response = RawResponse(try edge.output())
        #expect(response.statusLine == "HTTP/1.1 413 Payload Too Large")
        #expect(response.headers["connection"] == "close")
        #expect(response.body.contains("larger than the 1000 bytes"))
        // The edge lingers, reading and dropping the body, then closes.
        try edge.send(String(repeating: "x", count: 1001))
        edge.advance(by: EdgeConnectionHandler.lingerTime)
        #expect(!edge.isOpen)
    }

    @Test("a head that does not arrive within the header timeout gets 408 and a close")
    func slowHead() throws {
        let edge = try EmbeddedEdge(configuration: Self.shortHeadTimeout)
        try edge.send("GET / HTTP/1.1\r\nHost: a.lo")
        edge.advance(by: .seconds(9))
        #expect(edge.isOpen)
        try edge.send("calhost\r\nX-Slow: 1\r\n")
        edge.advance(by: .seconds(1))
        #expect(RawResponse(try edge.output()).statusLine == "HTTP/1.1 408 Request Timeout")
        #expect(!edge.isOpen)
    }

    @Test("a connection that never sends a byte is closed at the header timeout without an answer")
    func silentConnection() throws {
        let edge = try EmbeddedEdge(configuration: Self.shortHeadTimeout)
        edge.advance(by: .seconds(10))
        #expect(try edge.output().isEmpty)
        #expect(!edge.isOpen)
    }

    @Test("between keep-alive requests only the idle timeout applies; the next request's first byte starts the clock")
    func keepAliveGap() throws {
        let edge = try EmbeddedEdge(configuration: Self.shortHeadTimeout)
        try edge.send("GET / HTTP/1.1\r\nHost: nothing.localhost\r\n\r\n")
        #expect(RawResponse(try edge.output()).statusLine.hasPrefix("HTTP/1.1 404"))
        edge.advance(by: .seconds(60))
        #expect(edge.isOpen, "the header timeout does not apply to a quiet keep-alive connection")
        try edge.send("GET / HTTP/1.1\r\n")
        edge.advance(by: .seconds(10))
        #expect(RawResponse(try edge.output()).statusLine.hasPrefix("HTTP/1.1 408"))
        #expect(!edge.isOpen)
    }

    @Test("a slow body is not cut by the header timeout")
    func slowBody() throws {
        let edge = try EmbeddedEdge(configuration: Self.shortHeadTimeout)
        edge.routes.set(.unavailable("Later."), for: "api.localhost")
        // The edge answers at the head; the body keeps trickling in for longer than the header timeout.
        try edge.send("POST / HTTP/1.1\r\nHost: api.localhost\r\nContent-Length: 10\r\n\r\nab")
        #expect(RawResponse(try edge.output()).statusLine.hasPrefix("HTTP/1.1 503"))
        for _ in 0..<4 {
            edge.advance(by: .seconds(8))
            try edge.send("cd")
        }
        #expect(edge.isOpen)
        try edge.send("GET / HTTP/1.1\r\nHost: api.localhost\r\n\r\n")
        #expect(RawResponse(try edge.output()).statusLine.hasPrefix("HTTP/1.1 503"))
    }
}

@Suite("Client timeout handler alone")
struct ClientTimeoutHandlerTests {
    func channel(head: TimeAmount = .seconds(10), idle: TimeAmount = .seconds(75)) throws -> (EmbeddedChannel, ClientTimeoutHandler) {
        let handler = ClientTimeoutHandler(headTimeout: head, idleTimeout: idle)
        let channel = EmbeddedChannel(handler: handler)
        try channel.connect(to: SocketAddress(ipAddress: "192.0.2.7", port: 40000)).wait()
        return (channel, handler)
    }

    @Test("pipelined bytes wait for the response in flight before the clock starts")
    func pipelined() throws {
        let (channel, handler) = try channel()
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n"))
        handler.headReceived()
        handler.requestEnded()
        // The next request starts arriving while a slow app is still answering the first.
        try channel.writeInbound(ByteBuffer(string: "GET /next"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        #expect(channel.isActive)
        handler.responseEnded()
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test("the idle clock runs between requests only, from the last byte or response end")
    func idle() throws {
        let (channel, handler) = try channel(head: .seconds(10), idle: .seconds(20))
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n"))
        handler.headReceived()
        handler.requestEnded()
        // A slow app: no idle close while the response is open, however long.
        channel.embeddedEventLoop.advanceTime(by: .seconds(120))
        #expect(channel.isActive)
        handler.responseEnded()
        channel.embeddedEventLoop.advanceTime(by: .seconds(19))
        #expect(channel.isActive)
        // A request head arriving in one read moves the clock without a 408 later.
        try channel.writeInbound(ByteBuffer(string: "GET /again HTTP/1.1\r\n\r\n"))
        handler.headReceived()
        handler.requestEnded()
        handler.responseEnded()
        channel.embeddedEventLoop.advanceTime(by: .seconds(19))
        #expect(channel.isActive, "20 s idle counts from the second response's end")
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil, "an idle close is silent")
    }

    @Test("keep-alive requests arm no timer of their own")
    func noTimerPerRequest() throws {
        let (channel, handler) = try channel()
        for _ in 0..<100 {
            try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n"))
            handler.headReceived()
            handler.requestEnded()
            handler.responseEnded()
            channel.embeddedEventLoop.advanceTime(by: .milliseconds(10))
        }
        // Only the head clock of the connection's start, still pending; when it fires, it re-arms
        // once for the idle clock.
        #expect(handler.timersArmed == 1)
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(handler.timersArmed == 2)
        #expect(channel.isActive)
    }
}
