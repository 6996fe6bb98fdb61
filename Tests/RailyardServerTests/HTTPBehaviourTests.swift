import Foundation
import HTTPTypes
import Hummingbird
import RailyardCore
@testable import RailyardServer
import Testing

@Suite("Health, security headers, errors")
struct HTTPBehaviourTests {
    @Test("/health needs no auth")
    func health() async throws {
        try await TestServer.with { api, _ in
            let reply = try await api.send(.get, "/health")
            #expect(reply.status == .ok)
            #expect(try reply.decode([String: String].self) == ["status": "ok"])
        }
    }

    @Test("security headers on successes, errors and unknown routes")
    func securityHeaders() async throws {
        try await TestServer.with { api, _ in
            let token = try await api.signup("alice@example.com").token
            for reply in [
                try await api.send(.get, "/api/v1/me", token: token),
                try await api.send(.get, "/api/v1/me"),
                try await api.send(.get, "/api/v1/nothing-here"),
                try await api.send(.get, "/health"),
                try await api.send(.get, "/api/v1/openapi.json"),
            ] {
                #expect(reply.headers[.contentSecurityPolicy] == "default-src 'self'; frame-ancestors 'none'")
                #expect(reply.headers[.xContentTypeOptions] == "nosniff")
                #expect(reply.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                #expect(reply.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            }
        }
    }

    @Test("an unknown route is a JSON 404")
    func unknownRoute() async throws {
        try await TestServer.with { api, _ in
            let reply = try await api.send(.get, "/api/v1/nothing-here")
            #expect(reply.status == .notFound)
            #expect(reply.error?.code == .notFound)
            #expect(reply.headers[.contentType]?.hasPrefix("application/json") == true)
        }
    }

    @Test("the error body is exactly {\"error\": {code, message, field?}}")
    func errorShape() async throws {
        try await TestServer.with { api, _ in
            let reply = try await api.send(.post, "/api/v1/auth/signup", body: SignupRequest(email: "bad", password: "long enough"))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: reply.response.body)) as? [String: Any])
            #expect(Array(object.keys) == ["error"])
            let error = try #require(object["error"] as? [String: Any])
            #expect(Set(error.keys) == ["code", "message", "field"])
            #expect(error["code"] as? String == "invalid_input")
        }
    }

    @Test("internal errors are logged, not leaked")
    func internalErrors() async throws {
        struct Boom: Error, CustomStringConvertible { var description: String { "secret internal detail" } }
        let router = Router(context: RailyardRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        router.get("boom") { _, _ -> String in throw Boom() }
        let app = Application(router: router)
        try await app.test(.router) { client in
            let reply = try await client.executeRequest(uri: "/boom", method: .get, headers: [:], body: nil)
            #expect(reply.status == .internalServerError)
            let body = String(buffer: reply.body)
            #expect(body.contains("internal_error"))
            #expect(!body.contains("secret internal detail"))
        }
    }
}
