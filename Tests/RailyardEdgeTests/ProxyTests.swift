import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import RailyardEdge
import Testing

@Suite("Proxying to replicas over real sockets", .timeLimit(.minutes(2)))
struct ProxyTests {
    let host = "web-production-shop.localhost"

    @Test("a request reaches the app and its answer comes back")
    func proxiesStatusAndBody() async throws {
        let app = try await TestUpstream.start(name: "alpha")
        defer { Task { await app.stop() } }
        try await EdgeHarness.with { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: host)
            let (status, headers, body) = try await edge.get("/name", host: "Web-Production-Shop.LOCALHOST:8080")
            #expect(status == .ok)
            #expect(body == "alpha")
            #expect(headers.first(name: "content-type") == "text/plain")
            #expect(headers.first(name: "x-request-id")?.count == 32)
        }
    }

    @Test("the app sees X-Forwarded-*, a kept request id, the original Host, and no hop-by-hop headers")
    func addsForwardingHeaders() async throws {
        let app = try await TestUpstream.start(name: "alpha")
        defer { Task { await app.stop() } }
        try await EdgeHarness.with { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: host)
            let (status, responseHeaders, body) = try await edge.get(
                "/headers",
                host: host,
                headers: [
                    ("x-request-id", "req-abc-123"),
                    ("x-forwarded-for", "203.0.113.9"),
                    ("connection", "keep-alive, x-secret-hop"),
                    ("x-secret-hop", "drop me"),
                    ("keep-alive", "timeout=5"),
                    ("proxy-authorization", "Basic Zm9vOmJhcg=="),
                    ("te", "trailers"),
                    ("upgrade", "websocket"),
                ]
            )
            #expect(status == .ok)
            let seen = Dictionary(
                body.split(separator: "\n").map { line -> (String, String) in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    return (String(parts[0]), parts[1].trimmingCharacters(in: .whitespaces))
                },
                uniquingKeysWith: { first, _ in first }
            )
            #expect(seen["x-forwarded-for"] == "203.0.113.9, 127.0.0.1")
            #expect(seen["x-forwarded-proto"] == "http")
            #expect(seen["x-forwarded-host"] == host)
            #expect(seen["host"] == host)
            #expect(seen["x-request-id"] == "req-abc-123")
            for hop in ["connection", "x-secret-hop", "keep-alive", "proxy-authorization", "te", "upgrade"] {
                #expect(seen[hop] == nil, "\(hop) must not reach the app")
            }
            #expect(responseHeaders.first(name: "x-request-id") == "req-abc-123")
        }
    }

    @Test("a generated request id reaches the app when the client sent none")
    func generatesRequestID() async throws {
        let app = try await TestUpstream.start(name: "alpha")
        defer { Task { await app.stop() } }
        try await EdgeHarness.with { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: host)
            let (_, headers, body) = try await edge.get("/headers", host: host)
            let id = try #require(headers.first(name: "x-request-id"))
            #expect(body.contains("x-request-id: \(id)"))
        }
    }

    @Test("20 MB request bodies (known length and chunked) and a 20 MB response arrive intact")
    func streamsLargeBodies() async throws {
        let app = try await TestUpstream.start(name: "alpha")
        defer { Task { await app.stop() } }
        let size = 20 << 20
        try await EdgeHarness.with { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: host)

            for length in [HTTPClientRequest.Body.Length.known(Int64(size)), .unknown] {
                var upload = edge.request("/count", host: host, method: .POST)
                upload.body = .stream(PatternSequence(total: size), length: length)
                let (response, body) = try await edge.send(upload)
                #expect(response.status == .ok)
                #expect(String(buffer: body) == "bytes=\(size) intact=true")
            }

            for path in ["/big?bytes=\(size)", "/chunked?bytes=\(size)"] {
                let response = try await HTTPClient.shared.execute(edge.request(path, host: host), timeout: .seconds(60))
                #expect(response.status == .ok)
                var offset = 0
                var intact = true
                for try await chunk in response.body {
                    if !TestUpstream.matchesPattern(chunk, at: offset) { intact = false }
                    offset += chunk.readableBytes
                }
                #expect(offset == size, "\(path)")
                #expect(intact, "\(path)")
            }
        }
    }

    @Test("a body echoed while it is still being uploaded streams both ways at once")
    func echoesWhileUploading() async throws {
        let app = try await TestUpstream.start(name: "alpha")
        defer { Task { await app.stop() } }
        let size = 8 << 20
        try await EdgeHarness.with { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: host)
            var upload = edge.request("/echo", host: host, method: .PUT)
            upload.body = .stream(PatternSequence(total: size), length: .known(Int64(size)))
            let response = try await HTTPClient.shared.execute(upload, timeout: .seconds(60))
            #expect(response.status == .ok)
            var offset = 0
            var intact = true
            for try await chunk in response.body {
                if !TestUpstream.matchesPattern(chunk, at: offset) { intact = false }
                offset += chunk.readableBytes
            }
            #expect(offset == size)
            #expect(intact)
        }
    }

    @Test("requests alternate between two replicas")
    func roundRobin() async throws {
        let alpha = try await TestUpstream.start(name: "alpha")
        let beta = try await TestUpstream.start(name: "beta")
        defer { Task { await alpha.stop(); await beta.stop() } }
        try await EdgeHarness.with { edge in
            edge.routes.set(
                .upstreams([Upstream(host: "127.0.0.1", port: alpha.port), Upstream(host: "127.0.0.1", port: beta.port)]),
                for: host
            )
            var names: [String] = []
            for _ in 0..<6 {
                names.append(try await edge.get("/name", host: host).2)
            }
            #expect(names == ["alpha", "beta", "alpha", "beta", "alpha", "beta"])
        }
    }

    @Test("sequential requests reuse one keep-alive connection to the app")
    func reusesUpstreamConnections() async throws {
        let app = try await TestUpstream.start(name: "alpha")
        defer { Task { await app.stop() } }
        try await EdgeHarness.with { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: host)
            // One client connection, so one event loop, so one pool slot.
            var raw = ""
            for index in 0..<5 {
                raw += "GET /name HTTP/1.1\r\nHost: \(host)\r\n\(index == 4 ? "Connection: close\r\n" : "")\r\n"
            }
            let text = try await edge.raw(raw)
            #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count - 1 == 5)
            #expect(app.requestCount == 5)
            #expect(app.connectionCount == 1)
        }
    }

    @Test("an HTTP/1.0 client gets a chunked app response as a close-delimited body")
    func http10ClientGetsUnchunkedBody() async throws {
        let app = try await TestUpstream.start(name: "alpha")
        defer { Task { await app.stop() } }
        try await EdgeHarness.with { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: host)
            let bytes = try await edge.rawBytes("GET /chunked?bytes=1000 HTTP/1.0\r\nHost: \(host)\r\n\r\n")
            let view = bytes.readableBytesView
            let headEnd = try #require(view.firstRange(of: Array("\r\n\r\n".utf8)))
            let response = RawResponse(String(decoding: view[..<headEnd.upperBound], as: UTF8.self))
            #expect(response.statusLine.hasPrefix("HTTP/1.1 200"))
            #expect(response.headers["transfer-encoding"] == nil)
            #expect(response.headers["connection"] == "close")
            let body = ByteBuffer(bytes: view[headEnd.upperBound...])
            #expect(body.readableBytes == 1000)
            #expect(TestUpstream.matchesPattern(body, at: 0))
        }
    }

    @Test("a HEAD request gets the app's headers and no body")
    func headRequest() async throws {
        let app = try await TestUpstream.start(name: "alpha")
        defer { Task { await app.stop() } }
        try await EdgeHarness.with { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: host)
            let text = try await edge.raw(
                "HEAD /big?bytes=5000 HTTP/1.1\r\nHost: \(host)\r\n\r\nGET /name HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"
            )
            let first = RawResponse(text)
            #expect(first.statusLine.hasPrefix("HTTP/1.1 200"))
            #expect(first.headers["content-length"] == "5000")
            // The next response follows the HEAD response's headers directly.
            #expect(first.body.hasPrefix("HTTP/1.1 200 OK"))
            #expect(first.body.hasSuffix("alpha"))
        }
    }

    @Test("a route change during a slow request does not break it; the next request takes the new route")
    func routeSwapKeepsInFlightRequest() async throws {
        let old = try await TestUpstream.start(name: "old")
        let new = try await TestUpstream.start(name: "new")
        defer { Task { await old.stop(); await new.stop() } }
        try await EdgeHarness.with { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: old.port)]), for: host)
            async let slow = edge.get("/slow?ms=800", host: host)
            // Swap only once the request is in flight at the old app.
            while old.requestCount == 0 { try await Task.sleep(for: .milliseconds(10)) }
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: new.port)]), for: host)
            let (status, _, body) = try await slow
            #expect(status == .ok)
            #expect(body == "old")
            #expect(try await edge.get("/name", host: host).2 == "new")

            // Even removing the route outright leaves an in-flight request alone.
            let before = new.requestCount
            async let another = edge.get("/slow?ms=500", host: host)
            while new.requestCount == before { try await Task.sleep(for: .milliseconds(10)) }
            edge.routes.remove(host: host)
            #expect(try await another.2 == "new")
            #expect(try await edge.get("/name", host: host).0 == .notFound)
        }
    }
}

/// `total` pattern bytes in 64 KiB chunks, as an upload body.
struct PatternSequence: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let total: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let total: Int
        var offset = 0

        mutating func next() async -> ByteBuffer? {
            guard offset < total else { return nil }
            let size = Swift.min(64 * 1024, total - offset)
            defer { offset += size }
            return TestUpstream.pattern(offset: offset, count: size)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(total: total) }
}
