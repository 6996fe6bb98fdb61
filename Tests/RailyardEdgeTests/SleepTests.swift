import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import Testing

@testable import RailyardEdge

/// `sleepApplication` at the edge: requests for a sleeping host are held, the server is asked to
/// wake it, and they go on to the replica the wake routes.
@Suite("Sleeping hosts: requests held until a wake", .timeLimit(.minutes(2)))
struct SleepTests {
    let host = "web-production-shop.localhost"

    /// What the edge asked to wake, in order.
    final class Wakes: Sendable {
        private let hosts = Mutex<[String]>([])
        func record(_ host: String) { hosts.withLock { $0.append(host) } }
        var all: [String] { hosts.withLock { $0 } }

        /// Waits until a wake was asked for (up to 10 s).
        func waitForOne() async throws {
            for _ in 0..<200 where all.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
    }

    final class Counter: Sendable {
        private let count = Atomic<Int>(0)
        func add() { count.add(1, ordering: .relaxed) }
        var value: Int { count.load(ordering: .relaxed) }
    }

    func configuration(_ wakes: Wakes, wakeTimeout: Duration = .seconds(30)) -> EdgeServer.Configuration {
        var configuration = EdgeServer.Configuration()
        configuration.wake = { wakes.record($0) }
        configuration.wakeTimeout = wakeTimeout
        return configuration
    }

    @Test("a GET and a POST with a body wait while the host sleeps, ask for a wake, and reach the replica the wake routes")
    func heldUntilAwake() async throws {
        let app = try await TestUpstream.start(name: "alpha")
        defer { Task { await app.stop() } }
        let wakes = Wakes()
        try await EdgeHarness.with(configuration: configuration(wakes)) { edge in
            edge.routes.set(.sleeping, for: host)
            let answered = Counter()
            let host = host
            let get = Task {
                defer { answered.add() }
                return try await edge.get("/name", host: host).2
            }
            let post = Task {
                defer { answered.add() }
                var request = edge.request("/count", host: host, method: .POST)
                request.body = .bytes(ByteBuffer(string: "0123456789"))
                return String(buffer: try await edge.send(request).1)
            }
            try await wakes.waitForOne()
            try await Task.sleep(for: .milliseconds(300))
            #expect(answered.value == 0, "held while asleep")
            #expect(app.requestCount == 0)
            #expect(Set(wakes.all) == [host])
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: host)
            #expect(try await get.value == "alpha")
            #expect(try await post.value.contains("bytes=10"), "the body held with the request arrives whole")
        }
    }

    @Test("a request to a custom domain of a sleeping host wakes it by that name and is answered")
    func alias() async throws {
        let app = try await TestUpstream.start(name: "alpha")
        defer { Task { await app.stop() } }
        let wakes = Wakes()
        try await EdgeHarness.with(configuration: configuration(wakes)) { edge in
            edge.routes.set(.sleeping, for: host)
            edge.routes.alias("shop.example.com", to: host)
            let get = Task { try await edge.get("/name", host: "shop.example.com").2 }
            try await wakes.waitForOne()
            #expect(wakes.all == ["shop.example.com"])
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: host)
            #expect(try await get.value == "alpha")
        }
    }

    @Test("a host that does not wake in time gets a 503 saying so; one that wakes without replicas too")
    func notAwake() async throws {
        let wakes = Wakes()
        try await EdgeHarness.with(configuration: configuration(wakes, wakeTimeout: .milliseconds(500))) { edge in
            edge.routes.set(.sleeping, for: host)
            let start = ContinuousClock.now
            let (status, _, body) = try await edge.get("/", host: host)
            #expect(status == .serviceUnavailable && body.contains("did not wake in time"))
            #expect(ContinuousClock.now - start >= .milliseconds(450))

            let host = host
            let again = Task { try await edge.get("/", host: host) }
            try await Task.sleep(for: .milliseconds(100))
            edge.routes.set(.upstreams([]), for: host)
            let (crashed, _, _) = try await again.value
            #expect(crashed == .serviceUnavailable)
        }
    }
}

@Suite("Route table: quiet time and wake waiters")
struct RouteTableSleepTests {
    @Test("quiet time counts from the last request, survives a route change, and waiters run once the host wakes")
    func quietAndWaiters() async throws {
        let routes = RouteTable()
        #expect(routes.quietTime(of: "a.localhost") == nil)
        routes.set(.upstreams([Upstream(host: "127.0.0.1", port: 1)]), for: "a.localhost")
        try await Task.sleep(for: .milliseconds(200))
        #expect(routes.quietTime(of: "a.localhost")! >= .milliseconds(200))
        _ = routes.resolve(host: "A.localhost:8080")
        #expect(routes.quietTime(of: "a.localhost")! < .milliseconds(100))
        try await Task.sleep(for: .milliseconds(200))
        routes.set(.sleeping, for: "a.localhost")
        #expect(routes.quietTime(of: "a.localhost")! >= .milliseconds(200), "a new route is no request")

        let woken = SleepTests.Counter()
        routes.whenAwake("a.localhost") { woken.add() }
        routes.set(.sleeping, for: "a.localhost")
        #expect(woken.value == 0)
        routes.set(.unavailable("crashed"), for: "a.localhost")
        #expect(woken.value == 1)
        routes.set(.sleeping, for: "a.localhost")
        #expect(woken.value == 1, "a waiter runs once")
        routes.whenAwake("b.localhost") { woken.add() }
        #expect(woken.value == 2, "a host that is not asleep wakes its waiter at once")
    }
}
