import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import RailyardEdge
import Synchronization
import Testing

@Suite("WebSockets, server-sent events and streamed uploads through the edge", .timeLimit(.minutes(2)))
struct StreamingTests {
    let host = "chat-production-shop.localhost"

    func handshake(_ path: String = "/ws", key: String = "dGhlIHNhbXBsZSBub25jZQ==") -> String {
        "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: \(key)\r\n\r\n"
    }

    @Test("a WebSocket handshake reaches the app; text and 1 MiB binary frames echo through the tunnel")
    func websocketEcho() async throws {
        let app = try await WebSocketEchoServer.start()
        defer { Task { await app.stop() } }
        try await EdgeHarness.with { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: host)
            try await RawSession.with(port: edge.port) { session in
                let key = "dGhlIHNhbXBsZSBub25jZQ=="
                try await session.write(handshake(key: key))
                let head = try #require(try await session.takeHead())
                #expect(head.statusLine == "HTTP/1.1 101 Switching Protocols")
                #expect(head.headers["upgrade"]?.lowercased() == "websocket")
                #expect(head.headers["connection"]?.lowercased() == "upgrade")
                #expect(head.headers["sec-websocket-accept"] == WebSocketEchoServer.accept(for: key))

                try await session.write(maskedFrame(opcode: 0x1, payload: ByteBuffer(string: "hello")))
                let echo = try #require(try await session.readFrame())
                #expect(echo.opcode == 0x1)
                #expect(String(buffer: echo.payload) == "hello")

                for round in 0..<4 {
                    var payload = ByteBuffer()
                    for offset in stride(from: 0, to: 1 << 20, by: 64 * 1024) {
                        var part = TestUpstream.pattern(offset: offset + round, count: 64 * 1024)
                        payload.writeBuffer(&part)
                    }
                    try await session.write(maskedFrame(opcode: 0x2, payload: payload))
                    let binary = try #require(try await session.readFrame())
                    #expect(binary.opcode == 0x2)
                    #expect(binary.payload == payload, "round \(round)")
                }

                // The app closing its side closes the client's.
                try await session.write(maskedFrame(opcode: 0x1, payload: ByteBuffer(string: "close-me")))
                _ = try await session.readToEnd()
            }
            #expect(try await eventually { app.closedConnections == 1 })

            // The client closing its side closes the app's.
            try await RawSession.with(port: edge.port) { session in
                try await session.write(handshake())
                #expect(try await session.takeHead()?.statusLine.hasPrefix("HTTP/1.1 101") == true)
            }
            #expect(try await eventually { app.closedConnections == 2 })
        }
    }

    @Test("bytes the app sends right behind its 101 reach the client, and the tunnel carries any bytes")
    func bytesBehindTheSwitch() async throws {
        let app = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(RawUpgradeApp()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { app.close(promise: nil) }
        try await EdgeHarness.with { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.localAddress!.port!)]), for: host)
            try await RawSession.with(port: edge.port) { session in
                try await session.write(handshake())
                #expect(try await session.takeHead()?.statusLine == "HTTP/1.1 101 Switching Protocols")
                #expect(try await session.read(untilContains: "hello from the app"))
                session.received.clear()
                try await session.write("not even a frame")
                #expect(try await session.read(untilContains: "not even a frame"))
            }
        }
    }

    @Test("a handshake the app refuses comes back as an ordinary response, and the connection closes")
    func websocketRefused() async throws {
        let app = try await WebSocketEchoServer.start()
        defer { Task { await app.stop() } }
        try await EdgeHarness.with { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: host)
            let text = try await RawSession.with(port: edge.port) { session in
                try await session.write(handshake("/not-a-socket"))
                return try await session.readToEnd()
            }
            let response = RawResponse(text)
            #expect(response.statusLine.hasPrefix("HTTP/1.1 400"))
            #expect(response.headers["connection"] == "close")
            #expect(response.headers["upgrade"] == nil)
            #expect(response.body == "not a websocket")
        }
    }

    @Test("a quiet tunnel is closed after the tunnel idle timeout")
    func tunnelIdleTimeout() async throws {
        let app = try await WebSocketEchoServer.start()
        defer { Task { await app.stop() } }
        var configuration = EdgeServer.Configuration()
        // Generous against a loaded machine (a whole CI run in parallel on 2 cores, where a 250 ms
        // sleep can take seconds): a ping every 250 ms must never look like silence.
        configuration.tunnelIdleTimeout = .seconds(10)
        try await EdgeHarness.with(configuration: configuration) { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: host)
            let start = ContinuousClock.now
            try await RawSession.with(port: edge.port) { session in
                try await session.write(handshake())
                _ = try await session.takeHead()
                // Traffic keeps it open past the timeout…
                for _ in 0..<16 {
                    try await Task.sleep(for: .milliseconds(250))
                    try await session.write(maskedFrame(opcode: 0x1, payload: ByteBuffer(string: "ping")))
                    #expect(try await session.readFrame() != nil)
                }
                // …silence closes it.
                _ = try await session.readToEnd()
            }
            #expect(ContinuousClock.now - start > .seconds(14), "4 s of pings, then 10 s of silence")
            #expect(ContinuousClock.now - start < .seconds(60))
            #expect(try await eventually { app.closedConnections == 1 })
        }
    }

    @Test("server-sent events stream: the first event arrives before the app has sent the second")
    func serverSentEvents() async throws {
        let app = try await TestUpstream.start(name: "alpha")
        defer { Task { await app.stop() } }
        try await EdgeHarness.with { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: host)
            let response = try await HTTPClient.shared.execute(edge.request("/events?count=3&ms=50", host: host), timeout: .seconds(30))
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "content-type") == "text/event-stream")
            var body = response.body.makeAsyncIterator()
            var text = ""
            while !text.contains("\n\n"), let chunk = try await body.next() {
                text += String(buffer: chunk)
            }
            #expect(text == "id: 1\ndata: event 1\n\n")
            // The app holds the second event back until now: had the edge buffered, nothing would
            // have arrived (the request would time out).
            #expect(app.eventsSent == 1)
            app.allowEvents(upTo: 3)
            while let chunk = try await body.next() {
                text += String(buffer: chunk)
            }
            #expect(text == (1...3).map { "id: \($0)\ndata: event \($0)\n\n" }.joined())
        }
    }

    @Test("a 64 MiB upload streams: the app receives it while the client is still sending, bytes and hash intact")
    func streamedUpload() async throws {
        let app = try await TestUpstream.start(name: "alpha")
        defer { Task { await app.stop() } }
        let size = 64 << 20
        var expected = SHA256()
        for offset in stride(from: 0, to: size, by: 64 * 1024) {
            TestUpstream.pattern(offset: offset, count: 64 * 1024).withUnsafeReadableBytes { expected.update(bufferPointer: $0) }
        }
        let digest = expected.finalize().map { String(format: "%02x", $0) }.joined()
        try await EdgeHarness.with { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: host)
            let upload = GatedUpload(total: size, app: app, maxAhead: 24 << 20)
            var request = edge.request("/hash", host: host, method: .POST)
            request.body = .stream(upload, length: .known(Int64(size)))
            let (response, body) = try await edge.send(request)
            #expect(response.status == .ok)
            #expect(String(buffer: body) == "bytes=\(size) sha256=\(digest)")
            #expect(upload.receivedBeforeLastChunk > 0, "the app heard nothing until the client had sent everything")
        }
    }
}

/// Pattern bytes in 64 KiB chunks that never run more than `maxAhead` bytes ahead of what the app
/// has received: if the edge held the body back, the upload would stall and fail.
struct GatedUpload: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    struct Stalled: Error {}

    let total: Int
    let app: TestUpstream
    let maxAhead: Int
    private let lastChunkSeen = Counter()

    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    init(total: Int, app: TestUpstream, maxAhead: Int) {
        self.total = total
        self.app = app
        self.maxAhead = maxAhead
    }

    /// What the app had received when the client produced its last chunk.
    var receivedBeforeLastChunk: Int { lastChunkSeen.value.load(ordering: .relaxed) }

    struct AsyncIterator: AsyncIteratorProtocol {
        let upload: GatedUpload
        var offset = 0

        mutating func next() async throws -> ByteBuffer? {
            guard offset < upload.total else { return nil }
            var waited = 0
            while offset - upload.app.bodyBytesReceived > upload.maxAhead {
                guard waited < 2000 else { throw Stalled() }
                waited += 1
                try await Task.sleep(for: .milliseconds(5))
            }
            let size = Swift.min(64 * 1024, upload.total - offset)
            if offset + size == upload.total {
                upload.lastChunkSeen.value.store(upload.app.bodyBytesReceived, ordering: .relaxed)
            }
            defer { offset += size }
            return TestUpstream.pattern(offset: offset, count: size)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(upload: self) }
}

extension RawSession {
    /// Reads one WebSocket frame from the edge.
    mutating func readFrame() async throws -> (opcode: UInt8, payload: ByteBuffer)? {
        var frame: (opcode: UInt8, payload: ByteBuffer)?
        _ = try await read(until: { buffer in
            var copy = buffer
            return readServerFrame(&copy) != nil
        })
        frame = readServerFrame(&received)
        return frame
    }
}

/// Polls `condition` for up to 5 s.
func eventually(_ condition: () -> Bool) async throws -> Bool {
    for _ in 0..<1000 {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

/// An app that answers any request with a 101 and a greeting in the same write, then echoes bytes.
private final class RawUpgradeApp: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private var head = ""
    private var switched = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        if switched {
            context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
            return
        }
        head += String(buffer: bytes)
        guard head.contains("\r\n\r\n") else { return }
        switched = true
        let answer = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nhello from the app"
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer)), promise: nil)
    }
}
