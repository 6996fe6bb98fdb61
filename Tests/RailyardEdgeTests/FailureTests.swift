#if canImport(Glibc)
import Glibc
#endif
import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import RailyardEdge
import Testing

@Suite("What the edge answers when there is no app to answer", .timeLimit(.minutes(2)))
struct FailureTests {
    @Test("an unknown host gets a 404 page saying no app is deployed there")
    func unknownHost() async throws {
        try await EdgeHarness.with { edge in
            let (status, headers, body) = try await edge.get("/", host: "nothing-here.localhost")
            #expect(status == .notFound)
            #expect(headers.first(name: "content-type") == "text/html; charset=utf-8")
            #expect(body.contains("No app is deployed at nothing-here.localhost"))
            #expect(!body.contains("http://") && !body.contains("https://"), "pages are self-contained")
        }
    }

    @Test("a host in the page is HTML-escaped")
    func escapesHost() async throws {
        try await EdgeHarness.with { edge in
            let response = RawResponse(try await edge.raw("GET / HTTP/1.1\r\nHost: <script>x</script>\r\nConnection: close\r\n\r\n"))
            #expect(!response.body.contains("<script>"))
            #expect(response.body.contains("&lt;script&gt;"))
        }
    }

    @Test("a request without a Host header gets a 400 that says so")
    func missingHost() async throws {
        try await EdgeHarness.with { edge in
            let response = RawResponse(try await edge.raw("GET / HTTP/1.0\r\n\r\n"))
            #expect(response.statusLine.hasPrefix("HTTP/1.1 400"))
            #expect(response.body.contains("no Host header"))
        }
    }

    @Test("an unavailable service gets a 503 page with the reason")
    func unavailable() async throws {
        try await EdgeHarness.with { edge in
            edge.routes.set(.unavailable("The deployment is building."), for: "api.localhost")
            let (status, _, body) = try await edge.get("/", host: "api.localhost")
            #expect(status == .serviceUnavailable)
            #expect(body.contains("The deployment is building."))

            edge.routes.set(.upstreams([]), for: "api.localhost")
            #expect(try await edge.get("/", host: "api.localhost").0 == .serviceUnavailable)
        }
    }

    @Test("a replica that refuses connections gets a 502 page")
    func deadUpstream() async throws {
        let port = try closedPort()
        try await EdgeHarness.with { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: port)]), for: "dead.localhost")
            let (status, _, body) = try await edge.get("/", host: "dead.localhost")
            #expect(status == .badGateway)
            #expect(body.contains("The app did not answer"))
        }
    }

    @Test("a replica that drops the connection before answering gets a 502 page")
    func upstreamResetsBeforeResponse() async throws {
        let app = try await TestUpstream.start(name: "alpha")
        defer { Task { await app.stop() } }
        try await EdgeHarness.with { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: "flaky.localhost")
            let (status, _, body) = try await edge.get("/close", host: "flaky.localhost")
            #expect(status == .badGateway)
            #expect(body.contains("The app did not answer"))
            // The client connection stays usable.
            #expect(try await edge.get("/name", host: "flaky.localhost").2 == "alpha")
        }
    }

    @Test("a GET whose reused keep-alive connection dies before answering is retried on a fresh one")
    func staleKeepAliveConnectionIsRetried() async throws {
        let app = try await TestUpstream.start(name: "alpha", dropReusedConnections: true)
        defer { Task { await app.stop() } }
        try await EdgeHarness.with { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: "retry.localhost")
            let text = try await edge.raw(
                "GET /name HTTP/1.1\r\nHost: retry.localhost\r\n\r\nGET /name HTTP/1.1\r\nHost: retry.localhost\r\nConnection: close\r\n\r\n"
            )
            #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count - 1 == 2)
            #expect(app.requestCount == 2)
            #expect(app.connectionCount == 2)
        }
    }

    @Test("a POST whose reused connection dies is not replayed: 502")
    func bodyRequestsAreNotReplayed() async throws {
        let app = try await TestUpstream.start(name: "alpha", dropReusedConnections: true)
        defer { Task { await app.stop() } }
        // NIO's path alone: the POST must find the GET's pooled connection, and the epoll engine's
        // pool is not NIO's.
        var configuration = EdgeServer.Configuration()
        configuration.epollEngine = false
        try await EdgeHarness.with(configuration: configuration) { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: "retry.localhost")
            let text = try await edge.raw(
                "GET /name HTTP/1.1\r\nHost: retry.localhost\r\n\r\n"
                    + "POST /count HTTP/1.1\r\nHost: retry.localhost\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
            )
            #expect(text.contains("HTTP/1.1 200 OK"))
            #expect(text.contains("HTTP/1.1 502 Bad Gateway"))
        }
    }

    @Test("a replica that does not accept within the connect timeout gets a 504 page")
    func connectTimeout() async throws {
        let blackhole = try Blackhole()
        defer { blackhole.close() }
        var configuration = EdgeServer.Configuration()
        configuration.connectTimeout = .milliseconds(300)
        try await EdgeHarness.with(configuration: configuration) { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: blackhole.port)]), for: "stuck.localhost")
            let (status, _, body) = try await edge.get("/", host: "stuck.localhost")
            #expect(status == .gatewayTimeout)
            #expect(body.contains("took too long"))
        }
    }
}

/// A port on 127.0.0.1 that was free a moment ago (bound, read, released), for a server to bind.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    return boundPort(fd)
}

/// A port on 127.0.0.1 that refuses connections for the rest of the test run: bound but never
/// listening, and kept bound (the socket is never closed), so no test running alongside can be
/// handed the same port and answer on it.
func closedPort() throws -> Int {
    boundPort(socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0))
}

/// Binds `fd` to a port of the kernel's choice on 127.0.0.1 and returns it.
private func boundPort(_ fd: Int32) -> Int {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A listener whose accept queue is full and never drained: further connection attempts hang in
/// SYN-SENT, which is how a stuck replica looks to the edge.
struct Blackhole {
    let port: Int
    private let fds: [Int32]

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        listen(listener, 0)
        var fds = [listener]
        // Fill the accept queue (backlog 0 holds one) and then some, without blocking.
        for _ in 0..<4 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) } }
            fds.append(fd)
        }
        usleep(50_000)
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.fds = fds
    }

    func close() {
        for fd in fds { Glibc.close(fd) }
    }
}
