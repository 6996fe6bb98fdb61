import Foundation
import Hummingbird
import RailyardCore
@testable import RailyardServer
import Testing

@Suite("Accounts: sign-up, login, sessions, API tokens")
struct AuthTests {
    @Test("sign-up returns a session that works, login too; the email is lowercased")
    func signupAndLogin() async throws {
        try await TestServer.with { api, _ in
            let signup = try await api.send(
                .post, "/api/v1/auth/signup", body: SignupRequest(email: "Ada@Example.com", password: "correct horse battery", name: "Ada")
            )
            #expect(signup.status == .created)
            let auth: AuthResponse = try signup.decode()
            #expect(auth.user.email == "ada@example.com")
            #expect(auth.user.name == "Ada")
            #expect(auth.expiresAt > Date().timeIntervalSince1970 + 6 * 24 * 3600)

            let me = try await api.send(.get, "/api/v1/me", token: auth.token)
            #expect(me.status == .ok)
            let body: Me = try me.decode()
            #expect(body.user.id == auth.user.id)
            #expect(body.workspaces.count == 1)
            #expect(body.workspaces.first?.role == .owner)
            #expect(body.workspaces.first?.workspace.personalOwnerId == auth.user.id)
            #expect(body.workspaces.first?.workspace.tier == "free")

            let login = try await api.send(.post, "/api/v1/auth/login", body: LoginRequest(email: "ADA@example.com", password: "correct horse battery"))
            #expect(login.status == .ok)
            let loggedIn: AuthResponse = try login.decode()
            #expect(loggedIn.user.id == auth.user.id)
        }
    }

    @Test("wrong password and unknown email get the same 401")
    func loginFailures() async throws {
        try await TestServer.with { api, _ in
            _ = try await api.signup("bob@example.com")
            let wrong = try await api.send(.post, "/api/v1/auth/login", body: LoginRequest(email: "bob@example.com", password: "not the password"))
            let unknown = try await api.send(.post, "/api/v1/auth/login", body: LoginRequest(email: "nobody@example.com", password: "not the password"))
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            #expect(wrong.error == RailyardError(.unauthorized, "email or password is incorrect"))
            #expect(wrong.text == unknown.text)
        }
    }

    @Test("a taken email is a conflict")
    func duplicateEmail() async throws {
        try await TestServer.with { api, _ in
            _ = try await api.signup("carol@example.com")
            let again = try await api.send(.post, "/api/v1/auth/signup", body: SignupRequest(email: "CAROL@example.com", password: "another password"))
            #expect(again.status == .conflict)
            #expect(again.error?.code == .conflict)
            #expect(again.error?.field == "email")
        }
    }

    @Test("validation errors name the field", arguments: [
        (SignupRequest(email: "not-an-email", password: "long enough pw"), "email"),
        (SignupRequest(email: "dan@example.com", password: "short"), "password"),
        (SignupRequest(email: "dan@example.com", password: String(repeating: "x", count: 73)), "password"),
    ])
    func signupValidation(request: SignupRequest, field: String) async throws {
        try await TestServer.with { api, fixture in
            let reply = try await api.send(.post, "/api/v1/auth/signup", body: request)
            #expect(reply.status == .badRequest)
            #expect(reply.error?.code == .invalidInput)
            #expect(reply.error?.field == field)
            #expect(try await fixture.store.user(email: "dan@example.com") == nil)
        }
    }

    @Test("a malformed body is invalid_input naming the missing field")
    func malformedBody() async throws {
        try await TestServer.with { api, _ in
            let missing = try await api.send(.post, "/api/v1/auth/signup", body: ["email": "x@example.com"])
            #expect(missing.status == .badRequest)
            #expect(missing.error?.field == "password")
            let garbage = try await api.client.executeRequest(
                uri: "/api/v1/auth/signup", method: .post, headers: [:], body: ByteBuffer(string: "{nope")
            )
            #expect(garbage.status == .badRequest)
            #expect(String(buffer: garbage.body).contains("invalid_input"))
        }
    }

    @Test("no token, a garbled token, an expired token: 401")
    func badSessions() async throws {
        let past = Date().addingTimeInterval(-8 * 24 * 3600)
        try await TestServer.with(now: { past }) { api, _ in
            let expired = try await api.signup("eve@example.com")
            let none = try await api.send(.get, "/api/v1/me")
            #expect(none.status == .unauthorized)
            #expect(none.error?.code == .unauthorized)
            let garbled = try await api.send(.get, "/api/v1/me", token: "eyJhbGciOiJIUzI1NiJ9.garbage.sig")
            #expect(garbled.status == .unauthorized)
            let old = try await api.send(.get, "/api/v1/me", token: expired.token)
            #expect(old.status == .unauthorized)
            #expect(old.error?.message.contains("log in again") == true)
        }
    }

    @Test("a token signed with another server's secret is refused")
    func foreignSecret() async throws {
        let foreign = try await TestServer.with { api, _ in try await api.signup("frank@example.com").token }
        try await TestServer.with { api, _ in
            _ = try await api.signup("frank@example.com")
            #expect(try await api.send(.get, "/api/v1/me", token: foreign).status == .unauthorized)
        }
    }

    @Test("API tokens: create, list, use, revoke")
    func apiTokens() async throws {
        try await TestServer.with { api, _ in
            let session = try await api.signup("grace@example.com").token
            let created = try await api.send(.post, "/api/v1/tokens", body: CreateTokenRequest(name: "ci"), token: session)
            #expect(created.status == .created)
            let token: CreatedToken = try created.decode()
            #expect(token.token.hasPrefix("ry_"))
            #expect(token.token.count == 3 + 43)
            #expect(token.apiToken.prefix == String(token.token.prefix(8)))
            #expect(!created.text.contains("tokenHash"))

            let list = try await api.send(.get, "/api/v1/tokens", token: token.token)
            #expect(list.status == .ok)
            let tokens: [APIToken] = try list.decode()
            #expect(tokens.map(\.id) == [token.apiToken.id])
            #expect(!list.text.contains(token.token))

            let me: Me = try await api.send(.get, "/api/v1/me", token: token.token).decode()
            #expect(me.user.email == "grace@example.com")

            let revoked = try await api.send(.delete, "/api/v1/tokens/\(token.apiToken.id)", token: session)
            #expect(revoked.status == .noContent)
            let after = try await api.send(.get, "/api/v1/me", token: token.token)
            #expect(after.status == .unauthorized)
            #expect(try await api.send(.get, "/api/v1/me", token: "ry_madeup").status == .unauthorized)
        }
    }

    @Test("revoking someone else's token is 404 and leaves it working")
    func revokeOthersToken() async throws {
        try await TestServer.with { api, _ in
            let alice = try await api.signup("alice@example.com").token
            let bob = try await api.signup("bob@example.com").token
            let token: CreatedToken = try await api.send(.post, "/api/v1/tokens", body: CreateTokenRequest(name: "laptop"), token: alice).decode()
            let attempt = try await api.send(.delete, "/api/v1/tokens/\(token.apiToken.id)", token: bob)
            #expect(attempt.status == .notFound)
            #expect(try await api.send(.get, "/api/v1/me", token: token.token).status == .ok)
        }
    }

    @Test("token names are validated")
    func tokenNameValidation() async throws {
        try await TestServer.with { api, _ in
            let session = try await api.signup("heidi@example.com").token
            let blank = try await api.send(.post, "/api/v1/tokens", body: CreateTokenRequest(name: "  "), token: session)
            #expect(blank.status == .badRequest)
            #expect(blank.error?.field == "name")
        }
    }
}
