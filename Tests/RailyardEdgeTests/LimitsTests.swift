import Foundation
import NIOCore
import RailyardEdge
import Testing

@Suite("Request-body limit and header timeout over real sockets", .timeLimit(.minutes(2)))
struct LimitsTests {
    let host = "web-production-shop.localhost"

    static let smallBody: EdgeServer.Configuration = {
        var configuration = EdgeServer.Configuration()
        configuration.maxRequestBodySize = 256 << 10
        return configuration
    }()

    static let shortHead: EdgeServer.Configuration = {
        var configuration = EdgeServer.Configuration()
        // Long enough that a loaded machine delaying the test's own write after connecting (it has
        // been seen to take over 300 ms) does not look like a slow client; the gaps the tests
        // leave on purpose are well past it.
        configuration.requestHeadTimeout = .seconds(1)
        // Far above the head timeout and the gaps the tests leave, so a loaded machine (a CI run
        // beside a release build) cannot stretch a gap into an idle close.
        configuration.clientIdleTimeout = .seconds(15)
        return configuration
    }()

    /// `total` pattern bytes as 64 KiB chunks of a chunked body.
    func chunkedBody(total: Int) -> [ByteBuffer] {
        stride(from: 0, to: total, by: 64 * 1024).map { offset in
            var chunk = ByteBuffer(string: String(64 * 1024, radix: 16) + "\r\n")
            var part = TestUpstream.pattern(offset: offset, count: 64 * 1024)
            chunk.writeBuffer(&part)
            chunk.writeString("\r\n")
            return chunk
        }
    }

    @Test("a declared body over the limit gets a 413 page and the app never hears of it")
    func declaredBodyOverLimit() async throws {
        let app = try await TestUpstream.start(name: "alpha")
        defer { Task { await app.stop() } }
        try await EdgeHarness.with(configuration: Self.smallBody) { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: host)
            let text = try await RawSession.with(port: edge.port) { session in
                try await session.write("POST /count HTTP/1.1\r\nHost: \(host)\r\nContent-Length: \(512 << 10)\r\n\r\n")
                // The client sends its body anyway; the edge drains it and still gets its answer across.
                for chunk in chunkedBody(total: 512 << 10) {
                    try? await session.write(chunk.getSlice(at: chunk.readerIndex, length: 64 * 1024)!)
                }
                return try await session.readToEnd()
            }
            let response = RawResponse(text)
            #expect(response.statusLine == "HTTP/1.1 413 Payload Too Large")
            #expect(response.headers["connection"] == "close")
            #expect(response.body.contains("larger than the 256 KiB"))
            #expect(app.connectionCount == 0)
            #expect(try await edge.get("/name", host: host).2 == "alpha", "a body within the limit still goes through")
        }
    }

    @Test("a chunked body that outgrows the limit before the app answers: the app's request is cut, the client gets 413")
    func chunkedBodyOverLimit() async throws {
        let app = try await TestUpstream.start(name: "alpha")
        defer { Task { await app.stop() } }
        try await EdgeHarness.with(configuration: Self.smallBody) { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: host)
            let text = try await RawSession.with(port: edge.port) { session in
                try await session.write("POST /count HTTP/1.1\r\nHost: \(host)\r\nTransfer-Encoding: chunked\r\n\r\n")
                for chunk in chunkedBody(total: 512 << 10) {
                    try? await session.write(chunk)
                }
                try? await session.write("0\r\n\r\n")
                return try await session.readToEnd()
            }
            #expect(RawResponse(text).statusLine == "HTTP/1.1 413 Payload Too Large")
            // The upstream request was started and cut: on a loaded machine the app may not have
            // parsed its head before the cut, so it saw one request at most, and never the body.
            #expect(app.requestCount <= 1)
            #expect(app.bodyBytesReceived <= 256 << 10)
        }
    }

    @Test("a chunked body that outgrows the limit after the response started: the client connection is cut")
    func chunkedBodyOverLimitMidResponse() async throws {
        let app = try await TestUpstream.start(name: "alpha")
        defer { Task { await app.stop() } }
        try await EdgeHarness.with(configuration: Self.smallBody) { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: host)
            let text = try await RawSession.with(port: edge.port) { session in
                // /echo answers at once and streams the body back as it arrives.
                try await session.write("PUT /echo HTTP/1.1\r\nHost: \(host)\r\nTransfer-Encoding: chunked\r\n\r\n")
                let chunks = chunkedBody(total: 512 << 10)
                try await session.write(chunks[0])
                #expect(try await session.read(untilContains: "HTTP/1.1 200 OK"))
                for chunk in chunks.dropFirst() {
                    try? await session.write(chunk)
                }
                try? await session.write("0\r\n\r\n")
                return try await session.readToEnd()
            }
            #expect(RawResponse(text).statusLine == "HTTP/1.1 200 OK")
            #expect(!text.hasSuffix("0\r\n\r\n"), "the response must not look complete")
        }
    }

    @Test("a client that does not finish its request head in time gets 408 and is closed")
    func slowHead() async throws {
        try await EdgeHarness.with(configuration: Self.shortHead) { edge in
            let start = ContinuousClock.now
            let text = try await RawSession.with(port: edge.port) { session in
                try await session.write("GET / HTTP/1.1\r\nHost: slow")
                try await Task.sleep(for: .milliseconds(1500))
                // The sleep outlasts the head timeout, so the edge has usually closed by now: what
                // matters is what the client reads, not this write.
                try? await session.write(".localhost\r\n")
                return try await session.readToEnd()
            }
            // The 408 itself says it was the header timeout (the idle timeout closes silently).
            #expect(RawResponse(text).statusLine == "HTTP/1.1 408 Request Timeout")
            #expect(ContinuousClock.now - start < .seconds(10))
        }
    }

    @Test("a slow body is not cut by the header timeout")
    func slowBody() async throws {
        let app = try await TestUpstream.start(name: "alpha")
        defer { Task { await app.stop() } }
        try await EdgeHarness.with(configuration: Self.shortHead) { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: host)
            let text = try await RawSession.with(port: edge.port) { session in
                try await session.write("POST /count HTTP/1.1\r\nHost: \(host)\r\nContent-Length: 10\r\nConnection: close\r\n\r\n01234")
                try await Task.sleep(for: .milliseconds(2500))
                try await session.write("56789")
                return try await session.readToEnd()
            }
            #expect(RawResponse(text).statusLine == "HTTP/1.1 200 OK")
            #expect(text.hasSuffix("bytes=10 intact=false"))
        }
    }

    @Test("between keep-alive requests the idle timeout applies, not the header timeout")
    func keepAliveGap() async throws {
        let app = try await TestUpstream.start(name: "alpha")
        defer { Task { await app.stop() } }
        try await EdgeHarness.with(configuration: Self.shortHead) { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: host)
            try await RawSession.with(port: edge.port) { session in
                try await session.write("GET /name HTTP/1.1\r\nHost: \(host)\r\n\r\n")
                #expect(try await session.read(untilContains: "alpha"))
                session.received.clear()
                try await Task.sleep(for: .milliseconds(2500))
                try await session.write("GET /name HTTP/1.1\r\nHost: \(host)\r\n\r\n")
                #expect(try await session.read(untilContains: "alpha"), "the connection survived a gap longer than the header timeout")
                // Then the idle timeout closes it. (How long after cannot be measured from here: on a
                // loaded machine this reader may itself wake seconds late.)
                let quiet = ContinuousClock.now
                _ = try await session.readToEnd()
                #expect(ContinuousClock.now - quiet < .seconds(30), "closed by the idle timeout")
            }
        }
    }
}
