import Foundation
import Hummingbird
import RailyardCore
@testable import RailyardServer
import Testing

@Suite("GitHub sign-in, against a fake GitHub on loopback")
struct GitHubSignInTests {
    private static func configure(_ baseURL: String) -> (inout ServerConfiguration) -> Void {
        { configuration in
            configuration.github = GitHubConfiguration(
                clientId: FakeGitHub.clientId, clientSecret: FakeGitHub.clientSecret,
                oauthBaseURL: baseURL, apiBaseURL: baseURL
            )
        }
    }

    /// Follows the redirect and returns the `state` it carries.
    private static func startSignIn(_ api: APIClient) async throws -> String {
        let redirect = try await api.send(.get, "/api/v1/auth/github")
        #expect(redirect.status == .found)
        let location = try #require(redirect.headers[.location])
        let components = try #require(URLComponents(string: location))
        let query = Dictionary(uniqueKeysWithValues: (components.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        return try #require(query["state"])
    }

    @Test("without a client id the redirect says which flags to set")
    func notConfigured() async throws {
        try await TestServer.with { api, _ in
            #expect(try await api.send(.get, "/api/v1/auth/methods").decode([String: Bool].self) == ["password": true, "github": false])
            let reply = try await api.send(.get, "/api/v1/auth/github")
            #expect(reply.status == .serviceUnavailable)
            #expect(reply.error?.code == .notConfigured)
            #expect(reply.error?.message.contains("--github-client-id") == true)
            let callback = try await api.send(.get, "/api/v1/auth/github/callback?code=x&state=y")
            #expect(callback.status == .serviceUnavailable)
        }
    }

    @Test("the redirect goes to GitHub's authorize URL with our callback and a signed state")
    func redirect() async throws {
        try await FakeGitHub.run { baseURL, _ in
            try await TestServer.with(Self.configure(baseURL)) { api, _ in
                let reply = try await api.send(.get, "/api/v1/auth/github")
                #expect(reply.status == .found)
                let location = try #require(reply.headers[.location])
                #expect(location.hasPrefix(baseURL + "/login/oauth/authorize?"))
                let items = try #require(URLComponents(string: location)?.queryItems)
                let query = Dictionary(uniqueKeysWithValues: items.map { ($0.name, $0.value ?? "") })
                #expect(query["client_id"] == FakeGitHub.clientId)
                #expect(query["redirect_uri"] == "http://railyard.test/api/v1/auth/github/callback")
                #expect(query["scope"] == "read:user user:email")
                #expect(location.contains("scope=read:user%20user:email"))
                #expect((query["state"]?.split(separator: ".").count ?? 0) == 3)
            }
        }
    }

    @Test("the callback creates the user; a second sign-in updates, not duplicates")
    func callbackCreatesThenUpdates() async throws {
        try await FakeGitHub.run { baseURL, log in
            try await TestServer.with(Self.configure(baseURL)) { api, fixture in
                let state = try await Self.startSignIn(api)
                let first = try await api.send(.get, "/api/v1/auth/github/callback?code=octocat&state=\(state)")
                #expect(first.status == .ok, "\(first.text)")
                let auth: AuthResponse = try first.decode()
                #expect(auth.user.githubId == "583231")
                #expect(auth.user.githubLogin == "octocat")
                #expect(auth.user.name == "The Octocat")
                #expect(auth.user.email == "octocat@github.example")
                #expect(log.all == ["POST /login/oauth/access_token", "GET /user", "GET /user/emails"])

                let me: Me = try await api.send(.get, "/api/v1/me", token: auth.token).decode()
                #expect(me.user.id == auth.user.id)
                #expect(me.workspaces.count == 1)

                let again = try await Self.startSignIn(api)
                let second = try await api.send(.get, "/api/v1/auth/github/callback?code=octocat-renamed&state=\(again)")
                #expect(second.status == .ok)
                let updated: AuthResponse = try second.decode()
                #expect(updated.user.id == auth.user.id)
                #expect(updated.user.name == "Mona Lisa Octocat")
                let memberships = try await fixture.store.memberships(userId: auth.user.id)
                #expect(memberships.count == 1)
                #expect(try await fixture.store.user(email: "octocat@github.example")?.id == auth.user.id)
            }
        }
    }

    @Test("started by the dashboard (?next=dashboard), the callback answers a page that hands the token to the dashboard")
    func dashboardSignIn() async throws {
        try await FakeGitHub.run { baseURL, _ in
            try await TestServer.with(Self.configure(baseURL)) { api, _ in
                #expect(try await api.send(.get, "/api/v1/auth/methods").decode([String: Bool].self) == ["password": true, "github": true])
                let redirect = try await api.send(.get, "/api/v1/auth/github?next=dashboard")
                let location = try #require(redirect.headers[.location].flatMap(URLComponents.init(string:)))
                let state = try #require(location.queryItems?.first { $0.name == "state" }?.value)
                let page = try await api.send(.get, "/api/v1/auth/github/callback?code=octocat&state=\(state)")
                #expect(page.status == .ok)
                #expect(page.headers[.contentType] == "text/html; charset=utf-8")
                #expect(page.headers[.cacheControl] == "no-store")
                let token = try #require(page.text.firstMatch(of: /name="railyard-token" content="([\w.-]+)"/)?.1)
                #expect(page.text.contains(#"src="/assets/github.js""#))
                let me: Me = try await api.send(.get, "/api/v1/me", token: String(token)).decode()
                #expect(me.user.githubLogin == "octocat")
                #expect(try await api.send(.get, "/assets/github.js").status == .ok)

                // Any other `next` is the API's JSON answer: the state cannot send the token elsewhere.
                let other = try await api.send(.get, "/api/v1/auth/github?next=https://evil.example")
                let otherState = try #require(other.headers[.location].flatMap(URLComponents.init(string:))?.queryItems?.first { $0.name == "state" }?.value)
                let json = try await api.send(.get, "/api/v1/auth/github/callback?code=octocat&state=\(otherState)")
                #expect(json.headers[.contentType]?.hasPrefix("application/json") == true)
            }
        }
    }

    @Test("a public profile email is used without asking for /user/emails")
    func publicEmail() async throws {
        try await FakeGitHub.run { baseURL, log in
            try await TestServer.with(Self.configure(baseURL)) { api, _ in
                let state = try await Self.startSignIn(api)
                let auth: AuthResponse = try await api.send(.get, "/api/v1/auth/github/callback?code=public-email&state=\(state)").decode()
                #expect(auth.user.email == "hubber@example.com")
                #expect(!log.all.contains("GET /user/emails"))
            }
        }
    }

    @Test("a bad, missing or foreign state is 401 and GitHub is never asked")
    func badState() async throws {
        try await FakeGitHub.run { baseURL, log in
            try await TestServer.with(Self.configure(baseURL)) { api, _ in
                let session = try await api.signup("mallory@example.com").token
                for query in ["code=octocat&state=forged", "code=octocat", "code=octocat&state=\(session)"] {
                    let reply = try await api.send(.get, "/api/v1/auth/github/callback?\(query)")
                    #expect(reply.status == .unauthorized, "\(query)")
                    #expect(reply.error?.code == .unauthorized)
                }
                #expect(log.all.isEmpty)
            }
        }
    }

    @Test("GitHub refusing the code is 401; GitHub failing is 502 upstream_failed")
    func githubFailures() async throws {
        try await FakeGitHub.run { baseURL, _ in
            try await TestServer.with(Self.configure(baseURL)) { api, _ in
                let rejected = try await api.send(.get, "/api/v1/auth/github/callback?code=rejected&state=\(try await Self.startSignIn(api))")
                #expect(rejected.status == .unauthorized)
                #expect(rejected.error?.message.contains("bad_verification_code") == true)
                let broken = try await api.send(.get, "/api/v1/auth/github/callback?code=broken&state=\(try await Self.startSignIn(api))")
                #expect(broken.status == .badGateway)
                #expect(broken.error?.code == .upstream)
            }
        }
        try await TestServer.with({
            Self.configure("http://127.0.0.1:1")(&$0)
            $0.github.timeout = 1
        }) { api, _ in
            let unreachable = try await api.send(.get, "/api/v1/auth/github/callback?code=x&state=\(try await Self.startSignIn(api))")
            #expect(unreachable.status == .badGateway)
        }
    }
}
