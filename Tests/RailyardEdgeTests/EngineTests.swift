import Logging
import NIOCore
import NIOPosix
import Testing

@testable import RailyardEdge

/// The epoll engine (the plain listener on Linux) where it differs from NIO's path: its own
/// listeners and address handling, what it leaves to NIO, and several workers at once. Everything
/// else about it is tested by the other suites, which run through it.
@Suite("Epoll engine", .timeLimit(.minutes(2)))
struct EngineTests {
    @Test("an IPv6 listener serves simple requests, with the client's IPv6 address in X-Forwarded-For")
    func ipv6Listener() async throws {
        let app = try await TestUpstream.start(name: "alpha")
        defer { Task { await app.stop() } }
        let routes = RouteTable()
        routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: "app.localhost")
        let server = EdgeServer(host: "::1", port: 0, routes: routes, logger: Logger(label: "edge-test"))
        let running = Task { try await server.run() }
        defer { running.cancel() }
        let port = try await server.waitUntilBound()
        let text = String(buffer: try await RawHTTP.exchange(
            "GET /headers HTTP/1.1\r\nHost: app.localhost\r\nConnection: close\r\n\r\n", host: "::1", port: port
        ))
        #expect(text.hasPrefix("HTTP/1.1 200 OK"))
        #expect(text.contains("x-forwarded-for: ::1"), "\(text)")
        #expect(text.contains("connection: close"))
    }

    @Test("a replica known by a host name is served through NIO, which looks the name up")
    func hostNameUpstream() async throws {
        let app = try await TestUpstream.start(name: "alpha")
        defer { Task { await app.stop() } }
        try await EdgeHarness.with { edge in
            edge.routes.set(.upstreams([Upstream(host: "localhost", port: app.port)]), for: "named.localhost")
            let text = try await edge.raw(
                "GET /name HTTP/1.1\r\nHost: named.localhost\r\n\r\nGET /name HTTP/1.1\r\nHost: named.localhost\r\nConnection: close\r\n\r\n"
            )
            #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count - 1 == 2, "\(text)")
            #expect(text.hasSuffix("alpha"))
        }
    }

    @Test("several workers at once: 48 keep-alive connections of 25 requests each all get their own answers")
    func manyConnections() async throws {
        let app = try await TestUpstream.start(name: "alpha")
        defer { Task { await app.stop() } }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 3)
        defer { Task { try? await group.shutdownGracefully() } }
        let routes = RouteTable()
        routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: "app.localhost")
        let server = EdgeServer(
            host: "127.0.0.1", port: 0, routes: routes, logger: Logger(label: "edge-test"), configuration: .init(), eventLoopGroup: group
        )
        let running = Task { try await server.run() }
        defer { running.cancel() }
        let port = try await server.waitUntilBound()
        let answered = try await withThrowingTaskGroup(of: Int.self) { tasks in
            for connection in 0..<48 {
                tasks.addTask {
                    var requests = ""
                    for index in 0..<25 {
                        let last = index == 24 ? "Connection: close\r\n" : ""
                        requests += "GET /headers HTTP/1.1\r\nHost: app.localhost\r\nX-Request-Id: c\(connection)-r\(index)\r\n\(last)\r\n"
                    }
                    let text = String(buffer: try await RawHTTP.exchange(requests, port: port))
                    // Each response head carries its own request's id, in order.
                    var found = 0
                    var rest = text[...]
                    for index in 0..<25 {
                        guard let range = rest.range(of: "x-request-id: c\(connection)-r\(index)\r\n") else { break }
                        found += 1
                        rest = rest[range.upperBound...]
                    }
                    return found
                }
            }
            return try await tasks.reduce(0, +)
        }
        #expect(answered == 48 * 25)
    }

    @Test("a reused connection the app dropped, with the app gone: the retry is refused and the 502 comes at once")
    func refusedRetry() async throws {
        let app = try await TestUpstream.start(name: "alpha", dropReusedConnections: true)
        try await EdgeHarness.with { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: "gone.localhost")
            try await RawSession.with(port: edge.port) { session in
                try await session.write("GET /name HTTP/1.1\r\nHost: gone.localhost\r\n\r\n")
                #expect(try await session.read(untilContains: "alpha"))
                await app.stop()
                let sent = ContinuousClock.now
                try await session.write("GET /name HTTP/1.1\r\nHost: gone.localhost\r\n\r\n")
                #expect(try await session.read(untilContains: "502 Bad Gateway"))
                #expect(ContinuousClock.now - sent < .seconds(5), "not after a timeout")
            }
        }
    }

    @Test("a request head longer than the limit is refused at once, not left to the header timeout")
    func oversizedHead() async throws {
        try await EdgeHarness.with { edge in
            let padding = String(repeating: "a", count: 100 * 1024)
            let sent = ContinuousClock.now
            let text = try await edge.raw("GET / HTTP/1.1\r\nHost: big.localhost\r\nX-Padding: \(padding)\r\n\r\n")
            #expect(text.hasPrefix("HTTP/1.1 4"), "\(text.prefix(80))")
            #expect(!text.hasPrefix("HTTP/1.1 408"))
            #expect(ContinuousClock.now - sent < .seconds(5), "not after the header timeout")
        }
    }
}
