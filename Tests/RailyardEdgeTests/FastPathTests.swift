import NIOCore
import NIOHTTP1
import Testing

@testable import RailyardEdge

/// The fast path over real sockets: what an app receives from it, connections that mix it with the
/// codec's path, and responses of every framing passed on as bytes.
/// The two implementations of the fast path: the epoll engine (the plain listener on Linux) and
/// NIO's `EdgeFastPath` (TLS, connections the engine handed over, other systems).
enum FastPathEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case epoll
    case nio

    var configuration: EdgeServer.Configuration {
        var configuration = EdgeServer.Configuration()
        configuration.epollEngine = self == .epoll
        // The tests count the app connections the edge opened: a pooled one must not expire
        // between their steps when a loaded machine (a whole CI run) makes a step take seconds.
        configuration.upstreamIdleTimeout = .seconds(120)
        return configuration
    }

    var testDescription: String { rawValue }
}

@Suite("Fast path over real sockets")
struct FastPathTests {
    /// The header lines of a request, lowercased names, in order, without the request line.
    static func headers(_ request: String) -> [String] {
        let head = request.components(separatedBy: "\r\n\r\n")[0]
        return head.components(separatedBy: "\r\n").dropFirst().map { line in
            let colon = line.firstIndex(of: ":")!
            return line[..<colon].lowercased() + ": " + line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
    }

    @Test("a simple GET reaches the app rewritten exactly as the codec's path rewrites it", arguments: FastPathEngine.allCases)
    func sameRewriting(engine: FastPathEngine) async throws {
        let app = try await ScriptedUpstream.start { _ in .init(bytes: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") }
        defer { Task { await app.stop() } }
        try await EdgeHarness.with(configuration: engine.configuration) { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: "app.localhost")
            let incoming: [(String, String)] = [
                ("Host", "App.localhost"), ("Accept", "*/*"), ("Connection", "keep-alive"), ("Keep-Alive", "timeout=5"),
                ("Proxy-Authorization", "Basic eA=="), ("TE", "trailers"), ("X-Forwarded-For", "10.0.0.1"),
                ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "evil.example"), ("X-Request-Id", "client-id-1"),
                ("Cookie", "a=1"), ("Cookie", "b=2"),
            ]
            let raw = "GET /a?b=1 HTTP/1.1\r\n" + incoming.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n"
            try await RawSession.with(port: edge.port) { session in
                try await session.write(raw)
                #expect(try await session.read(untilContains: "ok"))
            }
            let received = try #require(app.requests.first)
            #expect(received.hasPrefix("GET /a?b=1 HTTP/1.1\r\n"))
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/a?b=1")
            for (name, value) in incoming { head.headers.add(name: name, value: value) }
            let expected = ProxyHeaders.upstreamRequest(from: head, clientAddress: "127.0.0.1", requestID: "client-id-1")
            #expect(
                Self.headers(received).sorted() == expected.headers.map { "\($0.name.lowercased()): \($0.value)" }.sorted(),
                "the fast path and ProxyHeaders.upstreamRequest disagree"
            )
            #expect(Self.headers(received).contains("x-forwarded-for: 10.0.0.1, 127.0.0.1"))
        }
    }

    @Test("one keep-alive connection mixes both paths, pipelined or not, answered in order over one app connection", arguments: FastPathEngine.allCases)
    func mixedConnection(engine: FastPathEngine) async throws {
        let app = try await ScriptedUpstream.start { request in
            let path = request.split(separator: " ")[1]
            let body = request.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
            let text = "\(path) got \(body.utf8.count)"
            return .init(bytes: "HTTP/1.1 200 OK\r\nContent-Length: \(text.utf8.count)\r\n\r\n\(text)")
        }
        defer { Task { await app.stop() } }
        try await EdgeHarness.with(configuration: engine.configuration) { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: "app.localhost")
            try await RawSession.with(port: edge.port) { session in
                func exchange(_ raw: String, expect bodies: [String]) async throws {
                    try await session.write(raw)
                    for body in bodies {
                        #expect(try await session.read(untilContains: body), "no \(body)")
                        let text = String(buffer: session.received)
                        let end = text.range(of: body)!.upperBound
                        session.received.moveReaderIndex(forwardBy: text.utf8.distance(from: text.startIndex, to: end))
                    }
                }
                try await exchange("GET /1 HTTP/1.1\r\nHost: app.localhost\r\n\r\n", expect: ["/1 got 0"])
                try await exchange("POST /2 HTTP/1.1\r\nHost: app.localhost\r\nContent-Length: 5\r\n\r\nhello", expect: ["/2 got 5"])
                try await exchange("GET /3 HTTP/1.1\r\nHost: app.localhost\r\n\r\n", expect: ["/3 got 0"])
                try await exchange(
                    "GET /4 HTTP/1.1\r\nHost: app.localhost\r\n\r\nPOST /5 HTTP/1.1\r\nHost: app.localhost\r\nContent-Length: 2\r\n\r\nhiGET /6 HTTP/1.1\r\nHost: app.localhost\r\n\r\n",
                    expect: ["/4 got 0", "/5 got 2", "/6 got 0"]
                )
                try await exchange("GET / HTTP/1.1\r\nHost: nobody.localhost\r\n\r\n", expect: ["404"])
                try await exchange("GET /7 HTTP/1.1\r\nHost: app.localhost\r\n\r\n", expect: ["/7 got 0"])
                // A chunked request hands the connection to the codec for good; it goes on working.
                try await exchange(
                    "POST /8 HTTP/1.1\r\nHost: app.localhost\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                    expect: ["/8 got"]
                )
                try await exchange("GET /9 HTTP/1.1\r\nHost: app.localhost\r\n\r\n", expect: ["/9 got 0"])
            }
            #expect(app.requests.map { String($0.split(separator: " ")[1]) } == ["/1", "/2", "/3", "/4", "/5", "/6", "/7", "/8", "/9"])
            // NIO's fast path and its codec share the loop's pool; the engine's pool is its own, and
            // the connection stays with NIO from the first request the engine does not take.
            let connections = engine == .nio ? 1 : 2
            #expect(app.connections.load(ordering: .relaxed) == connections, "one app connection per path served the requests")
        }
    }

    @Test("responses of every framing pass through as bytes; a close-delimited one ends the client connection", arguments: FastPathEngine.allCases)
    func framings(engine: FastPathEngine) async throws {
        let app = try await ScriptedUpstream.start { request in
            switch request.split(separator: " ")[1] {
            case "/chunked":
                return .init(bytes: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n")
            case "/early":
                return .init(bytes: "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlate")
            case "/nothing":
                return .init(bytes: "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
            case "/head":
                return .init(bytes: "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
            case "/old":
                return .init(bytes: "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", close: true)
            default:
                return .init(bytes: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nplain")
            }
        }
        defer { Task { await app.stop() } }
        try await EdgeHarness.with(configuration: engine.configuration) { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: "app.localhost")
            try await RawSession.with(port: edge.port) { session in
                try await session.write("GET /chunked HTTP/1.1\r\nHost: app.localhost\r\n\r\n")
                let chunked = try #require(try await session.takeHead())
                #expect(chunked.headers["transfer-encoding"] == "chunked" && chunked.headers["x-request-id"]?.count == 32)
                #expect(try await session.read(untilContains: "X-Trailer: t\r\n\r\n"))
                #expect(String(buffer: session.received) == "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n")
                session.received.clear()

                try await session.write("GET /early HTTP/1.1\r\nHost: app.localhost\r\n\r\n")
                let early = try #require(try await session.takeHead())
                #expect(early.statusLine == "HTTP/1.1 103 Early Hints" && early.headers["link"] == "</s.css>")
                let late = try #require(try await session.takeHead())
                #expect(late.statusLine == "HTTP/1.1 200 OK")
                #expect(try await session.read(untilContains: "late"))
                session.received.clear()

                try await session.write("GET /nothing HTTP/1.1\r\nHost: app.localhost\r\n\r\nHEAD /head HTTP/1.1\r\nHost: app.localhost\r\n\r\n")
                let nothing = try #require(try await session.takeHead())
                #expect(nothing.statusLine == "HTTP/1.1 204 No Content" && nothing.headers["content-length"] == nil)
                let head = try #require(try await session.takeHead())
                #expect(head.headers["content-length"] == "1000")

                try await session.write("GET /old HTTP/1.1\r\nHost: app.localhost\r\n\r\n")
                let text = try await session.readToEnd()
                let old = RawResponse(text)
                #expect(old.statusLine == "HTTP/1.1 200 OK" && old.headers["connection"] == "close" && old.body == "until the end")
            }
        }
    }

    @Test("an app that cuts its response short cuts the client; one that answers nonsense gets a 502 page", arguments: FastPathEngine.allCases)
    func brokenResponses(engine: FastPathEngine) async throws {
        let app = try await ScriptedUpstream.start { request in
            switch request.split(separator: " ")[1] {
            case "/cut": return .init(bytes: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this", close: true)
            case "/badchunk": return .init(bytes: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
            default: return .init(bytes: "SURPRISE\r\n\r\n")
            }
        }
        defer { Task { await app.stop() } }
        try await EdgeHarness.with(configuration: engine.configuration) { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: "app.localhost")
            let cut = try await edge.raw("GET /cut HTTP/1.1\r\nHost: app.localhost\r\n\r\nGET /next HTTP/1.1\r\nHost: app.localhost\r\n\r\n")
            #expect(cut.hasPrefix("HTTP/1.1 200 OK") && cut.hasSuffix("only this"), "cut short, and nothing after: \(cut)")
            let badChunk = try await edge.raw("GET /badchunk HTTP/1.1\r\nHost: app.localhost\r\n\r\n")
            // The head went out; the body stops where the app's went wrong, with no last chunk made up.
            // (Looked for after the head: a request id may end in 0 right before the blank line.)
            let badBody = badChunk.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
            #expect(badChunk.hasPrefix("HTTP/1.1 200 OK") && !badBody.contains("0\r\n"), "\(badChunk)")
            let nonsense = try await edge.raw("GET /nonsense HTTP/1.1\r\nHost: app.localhost\r\nConnection: close\r\n\r\n")
            #expect(nonsense.hasPrefix("HTTP/1.1 502 Bad Gateway") && nonsense.contains("connection: close"))
        }
    }

    @Test("hundreds of requests pipelined in one write are answered in order, taking turns rather than nesting", arguments: FastPathEngine.allCases)
    func pipelinedFlood(engine: FastPathEngine) async throws {
        let app = try await ScriptedUpstream.start { request in
            let path = request.split(separator: " ")[1]
            return .init(bytes: "HTTP/1.1 200 OK\r\nContent-Length: \(path.utf8.count)\r\n\r\n\(path)")
        }
        defer { Task { await app.stop() } }
        try await EdgeHarness.with(configuration: engine.configuration) { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: "app.localhost")
            let count = 600
            let requests = (0..<count).map { "GET /r\($0) HTTP/1.1\r\nHost: app.localhost\r\n\r\n" }.joined()
            try await RawSession.with(port: edge.port) { session in
                try await session.write(requests)
                #expect(try await session.read(untilContains: "/r\(count - 1)"), "not every request was answered")
                let text = String(buffer: session.received)
                let order = text.components(separatedBy: "\r\n\r\n").dropFirst().map { $0.components(separatedBy: "HTTP/1.1")[0] }
                #expect(order == (0..<count).map { "/r\($0)" }, "answers out of order")
            }
        }
    }
}
