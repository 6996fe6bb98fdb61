import Foundation
import Hummingbird
import RailyardCore
@testable import RailyardServer
import Synchronization
import Testing

@Suite("Rate limiting")
struct RateLimitTests {
    @Test("auth routes: the 4th request from one IP in a minute is 429 with Retry-After; another IP is unaffected")
    func authLimit() async throws {
        try await TestServer.with({ $0.authRateLimit = RateLimitRule(limit: 3, window: 60) }) { api, _ in
            for _ in 1...3 {
                let reply = try await api.send(.post, "/api/v1/auth/login", body: LoginRequest(email: "x@example.com", password: "whatever1"), ip: "192.0.2.1")
                #expect(reply.status == .unauthorized)
            }
            let limited = try await api.send(.post, "/api/v1/auth/login", body: LoginRequest(email: "x@example.com", password: "whatever1"), ip: "192.0.2.1")
            #expect(limited.status == .tooManyRequests)
            #expect(limited.error?.code == .rateLimited)
            let retryAfter = try #require(limited.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...60).contains(retryAfter))
            #expect(limited.headers[.contentSecurityPolicy] != nil)

            // Signing up from the same IP is limited too; from another IP it is not.
            let sameIP = try await api.send(.post, "/api/v1/auth/signup", body: SignupRequest(email: "y@example.com", password: "long enough"), ip: "192.0.2.1")
            #expect(sameIP.status == .tooManyRequests)
            let otherIP = try await api.send(.post, "/api/v1/auth/signup", body: SignupRequest(email: "y@example.com", password: "long enough"), ip: "192.0.2.2")
            #expect(otherIP.status == .created)
            // The rest of the API has its own budget.
            let token = try otherIP.decode(AuthResponse.self).token
            #expect(try await api.send(.get, "/api/v1/me", token: token, ip: "192.0.2.1").status == .ok)
        }
    }

    @Test("API routes are limited per token, not per IP")
    func apiLimitPerToken() async throws {
        try await TestServer.with({ $0.apiRateLimit = RateLimitRule(limit: 2, window: 60) }) { api, _ in
            let alice = try await api.signup("alice@example.com", ip: "198.51.100.1").token
            let bob = try await api.signup("bob@example.com", ip: "198.51.100.1").token
            #expect(try await api.send(.get, "/api/v1/me", token: alice, ip: "198.51.100.1").status == .ok)
            #expect(try await api.send(.get, "/api/v1/me", token: alice, ip: "198.51.100.2").status == .ok)
            let third = try await api.send(.get, "/api/v1/me", token: alice, ip: "198.51.100.3")
            #expect(third.status == .tooManyRequests)
            #expect(third.headers[.retryAfter] != nil)
            #expect(try await api.send(.get, "/api/v1/me", token: bob, ip: "198.51.100.1").status == .ok)
        }
    }

    @Test("X-Forwarded-For is ignored unless trusted")
    func forwardedForNotTrusted() async throws {
        let configure: (inout ServerConfiguration) -> Void = {
            $0.trustForwardedFor = false
            $0.authRateLimit = RateLimitRule(limit: 1, window: 60)
        }
        try await TestServer.with(configure) { api, _ in
            let login = LoginRequest(email: "x@example.com", password: "whatever1")
            let first = try await api.send(.post, "/api/v1/auth/login", body: login, ip: "203.0.113.1")
            #expect(first.status == .unauthorized)
            // A different claimed IP does not buy a fresh budget.
            #expect(try await api.send(.post, "/api/v1/auth/login", body: login, ip: "203.0.113.2").status == .tooManyRequests)
        }
    }

    @Test("a window resets after its length")
    func windowResets() {
        let clock = Mutex<Double>(1_000)
        let limiter = RateLimiter(rule: RateLimitRule(limit: 2, window: 10), capacity: 10, now: { clock.withLock { $0 } })
        #expect(limiter.record("a") == .allowed(remaining: 1))
        #expect(limiter.record("a") == .allowed(remaining: 0))
        #expect(limiter.record("a") == .limited(retryAfter: 10))
        clock.withLock { $0 += 7.5 }
        #expect(limiter.record("a") == .limited(retryAfter: 3))
        clock.withLock { $0 += 2.5 }
        #expect(limiter.record("a") == .allowed(remaining: 1))
    }

    @Test("the table stays bounded")
    func bounded() {
        let clock = Mutex<Double>(0)
        let limiter = RateLimiter(rule: RateLimitRule(limit: 5, window: 60), capacity: 100, now: { clock.withLock { $0 } })
        for client in 0..<1_000 {
            clock.withLock { $0 += 0.001 }
            _ = limiter.record("client-\(client)")
        }
        #expect(limiter.count <= 100)
        #expect(limiter.record("client-999") == .allowed(remaining: 3))
    }

    @Test("rules parse from COUNT/WINDOW", arguments: [
        ("100/15m", RateLimitRule(limit: 100, window: 900)),
        ("1200/1m", RateLimitRule(limit: 1200, window: 60)),
        ("3/60s", RateLimitRule(limit: 3, window: 60)),
        ("10/h", RateLimitRule(limit: 10, window: 3600)),
    ])
    func parse(text: String, rule: RateLimitRule) throws {
        #expect(try RateLimitRule(parsing: text, field: "--auth-rate-limit") == rule)
    }

    @Test("bad rules name the flag", arguments: ["", "100", "100/", "0/1m", "-1/1m", "abc/1m", "10/5d", "10/0m"])
    func badRule(text: String) {
        #expect(throws: RailyardError.self) {
            try RateLimitRule(parsing: text, field: "--api-rate-limit")
        }
        do {
            _ = try RateLimitRule(parsing: text, field: "--api-rate-limit")
        } catch {
            #expect(error.field == "--api-rate-limit")
        }
    }
}
