import Crypto
import Foundation
import Testing
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A tiny app server on 127.0.0.1 for the proxy tests, answering by path:
/// `/name` its name · `/headers` the request headers, one `name: value` per line · `/echo` the
/// request body streamed back as it arrives · `/count` the body's length and whether it is the test pattern ·
/// `/big?bytes=N` N pattern bytes with a Content-Length · `/chunked?bytes=N` the same, chunked ·
/// `/slow?ms=N` its name after N ms · `/close` closes without answering · `/hash` the body's length
/// and SHA-256 · `/events?count=N&ms=M` N server-sent events at least M ms apart, each only once the
/// test allowed it (`allowEvents(upTo:)`; the first is allowed) · anything else 200 "ok".
final class TestUpstream: Sendable {
    let name: String
    let port: Int
    private let channel: Channel
    private let stats: Stats

    /// Counters the tests read.
    final class Stats: Sendable {
        let connections = Atomic<Int>(0)
        let requests = Atomic<Int>(0)
        let bodyBytes = Atomic<Int>(0)
        let eventsSent = Atomic<Int>(0)
        let eventsAllowed = Atomic<Int>(1)
    }

    /// Lets `/events` send events up to number `count`.
    func allowEvents(upTo count: Int) {
        stats.eventsAllowed.store(count, ordering: .relaxed)
    }

    /// Request-body bytes the upstream has received so far, over all requests.
    var bodyBytesReceived: Int { stats.bodyBytes.load(ordering: .relaxed) }
    /// Server-sent events written so far.
    var eventsSent: Int { stats.eventsSent.load(ordering: .relaxed) }

    /// Connections the upstream has accepted so far.
    var connectionCount: Int { stats.connections.load(ordering: .relaxed) }
    /// Requests the upstream has received so far.
    var requestCount: Int { stats.requests.load(ordering: .relaxed) }

    private init(name: String, channel: Channel, stats: Stats) {
        self.name = name
        self.channel = channel
        self.stats = stats
        self.port = channel.localAddress!.port!
    }

    /// Starts the app on `port` (0 = any). With `dropReusedConnections`, a second request on a
    /// connection is answered by closing it — a keep-alive connection the app timed out just as the
    /// edge reused it.
    static func start(name: String, port: Int = 0, dropReusedConnections: Bool = false) async throws -> TestUpstream {
        let stats = Stats()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                stats.connections.add(1, ordering: .relaxed)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(TestUpstreamHandler(name: name, stats: stats, dropReused: dropReusedConnections))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        return TestUpstream(name: name, channel: channel, stats: stats)
    }

    func stop() async {
        try? await channel.close()
    }

    /// The byte at `offset` of every pattern body the tests send or ask for.
    static func patternByte(at offset: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: offset % 251)
    }

    /// The pattern repeats every 251 bytes; this block covers any 64 KiB window.
    private static let patternBlock: ByteBuffer = {
        var buffer = ByteBuffer()
        for index in 0..<(251 * 264) { buffer.writeInteger(patternByte(at: index)) }
        return buffer
    }()

    /// `count` (at most 64 KiB) pattern bytes starting at `offset`.
    static func pattern(offset: Int, count: Int) -> ByteBuffer {
        precondition(count <= 64 * 1024)
        return patternBlock.getSlice(at: offset % 251, length: count)!
    }

    /// Whether `chunk` holds the pattern bytes that belong at `offset`.
    static func matchesPattern(_ chunk: ByteBuffer, at offset: Int) -> Bool {
        var rest = chunk
        var position = offset
        while rest.readableBytes > 0 {
            let size = min(rest.readableBytes, 64 * 1024)
            guard rest.readSlice(length: size) == pattern(offset: position, count: size) else { return false }
            position += size
        }
        return true
    }
}

private final class TestUpstreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let name: String
    private let stats: TestUpstream.Stats
    private var head: HTTPRequestHead?
    private var path = ""
    private var query: [String: String] = [:]
    private var bodyBytes = 0
    private var intact = true
    private var requestsOnConnection = 0
    private var hasher = SHA256()
    private let dropReused: Bool

    init(name: String, stats: TestUpstream.Stats, dropReused: Bool) {
        self.dropReused = dropReused
        self.name = name
        self.stats = stats
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            requestsOnConnection += 1
            if dropReused && requestsOnConnection > 1 {
                context.close(promise: nil)
                return
            }
            stats.requests.add(1, ordering: .relaxed)
            self.head = head
            let parts = head.uri.split(separator: "?", maxSplits: 1)
            path = parts.first.map(String.init) ?? "/"
            query = [:]
            for pair in (parts.count > 1 ? parts[1] : "").split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                query[String(kv[0])] = kv.count > 1 ? String(kv[1]) : ""
            }
            bodyBytes = 0
            intact = true
            hasher = SHA256()
            if path == "/echo" {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok))), promise: nil)
            }
            if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .continue))), promise: nil)
            }
        case .body(let buffer):
            if path == "/echo" {
                context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            } else if path == "/hash" {
                buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                bodyBytes += buffer.readableBytes
            } else {
                if !TestUpstream.matchesPattern(buffer, at: bodyBytes) { intact = false }
                bodyBytes += buffer.readableBytes
            }
            stats.bodyBytes.add(buffer.readableBytes, ordering: .relaxed)
        case .end:
            respond(context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    private func respond(context: ChannelHandlerContext) {
        guard let head else { return }
        switch path {
        case "/echo":
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        case "/name":
            send(context: context, text: name)
        case "/headers":
            let lines = head.headers.map { "\($0.name.lowercased()): \($0.value)" }.joined(separator: "\n")
            send(context: context, text: lines)
        case "/count":
            send(context: context, text: "bytes=\(bodyBytes) intact=\(intact)")
        case "/hash":
            let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
            send(context: context, text: "bytes=\(bodyBytes) sha256=\(digest)")
        case "/events":
            let headers: HTTPHeaders = ["content-type": "text/event-stream", "cache-control": "no-cache"]
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            sendEvents(context: context, number: 1, of: Int(query["count"] ?? "3") ?? 3, every: .milliseconds(Int64(query["ms"] ?? "300") ?? 300))
        case "/big", "/chunked":
            let total = Int(query["bytes"] ?? "0") ?? 0
            var headers = HTTPHeaders()
            if path == "/big" { headers.add(name: "content-length", value: String(total)) }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            var offset = 0
            while offset < total {
                let size = min(64 * 1024, total - offset)
                context.write(wrapOutboundOut(.body(.byteBuffer(TestUpstream.pattern(offset: offset, count: size)))), promise: nil)
                offset += size
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        case "/slow":
            let milliseconds = Int64(query["ms"] ?? "500") ?? 500
            let name = self.name
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .milliseconds(milliseconds)) {
                let (handler, context) = loopBound.value
                handler.send(context: context, text: name)
            }
        case "/close":
            context.close(promise: nil)
        default:
            send(context: context, text: "ok")
        }
    }

    /// Writes event `number` once it is allowed and schedules the next one; the last is followed by
    /// the end.
    private func sendEvents(context: ChannelHandlerContext, number: Int, of count: Int, every pause: TimeAmount) {
        guard context.channel.isActive else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        guard number <= stats.eventsAllowed.load(ordering: .relaxed) else {
            context.eventLoop.scheduleTask(in: pause) {
                let (handler, context) = loopBound.value
                handler.sendEvents(context: context, number: number, of: count, every: pause)
            }
            return
        }
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "id: \(number)\ndata: event \(number)\n\n")))), promise: nil)
        stats.eventsSent.add(1, ordering: .relaxed)
        guard number < count else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            return
        }
        context.eventLoop.scheduleTask(in: pause) {
            let (handler, context) = loopBound.value
            handler.sendEvents(context: context, number: number + 1, of: count, every: pause)
        }
    }

    private func send(context: ChannelHandlerContext, text: String) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "text/plain")
        headers.add(name: "content-length", value: String(text.utf8.count))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

extension TestUpstream {
    /// Waits (up to 10 s) until the app has received more than `count` requests: a test that must act
    /// while a request is in flight waits for this instead of sleeping and hoping.
    func waitForRequests(moreThan count: Int) async throws {
        for _ in 0..<2000 where requestCount <= count {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(requestCount > count, "the app never received the request")
    }
}

