import Crypto
import Foundation
import HTTPTypes
import NIOCore
import RailyardCore
@testable import RailyardServer
import Testing

@Suite("GitHub push webhooks")
struct WebhookTests {
    static let payload = Data("""
        {"ref":"refs/heads/main","before":"1111111111111111111111111111111111111111",
         "after":"9f3c2a1b0e9f3c2a1b0e9f3c2a1b0e9f3c2a1b0e","deleted":false,
         "head_commit":{"id":"9f3c2a1b0e9f3c2a1b0e9f3c2a1b0e9f3c2a1b0e","message":"Fix the header","author":{"name":"Ada"},
                        "added":[],"modified":["src/app.py"],"removed":[]},
         "commits":[{"id":"aaaa","message":"Docs","author":{"name":"Ada"},"added":["docs/a.md"],"modified":[],"removed":[]},
                    {"id":"9f3c","message":"Fix the header","author":{"name":"Ada"},"added":[],"modified":["src/app.py"],"removed":["old.txt"]}],
         "repository":{"full_name":"acme/shop"},"pusher":{"name":"ada"}}
        """.utf8)

    // MARK: Signatures

    @Test("a signature GitHub would send is valid; anything else is not")
    func signatures() {
        let body = Self.payload
        let secret = "It's a Secret to Everybody"
        let good = WebhookSignature.sign(body, secret: secret)
        #expect(good.hasPrefix("sha256=") && good.count == 7 + 64)
        #expect(WebhookSignature.isValid(good, body: body, secret: secret))
        #expect(WebhookSignature.isValid("sha256=" + good.dropFirst(7).uppercased(), body: body, secret: secret))
        #expect(!WebhookSignature.isValid(nil, body: body, secret: secret))
        #expect(!WebhookSignature.isValid("", body: body, secret: secret))
        #expect(!WebhookSignature.isValid(good, body: body + Data(" ".utf8), secret: secret))
        #expect(!WebhookSignature.isValid(good, body: body, secret: secret + "x"))
        #expect(!WebhookSignature.isValid("sha1=" + good.dropFirst(7), body: body, secret: secret))
        #expect(!WebhookSignature.isValid(String(good.dropLast(2)), body: body, secret: secret))
        #expect(!WebhookSignature.isValid(String(good.dropLast()) + "g", body: body, secret: secret))
    }

    @Test("GitHub's documented example signature checks out")
    func githubExample() {
        // From GitHub's "Validating webhook deliveries" page.
        let header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        #expect(WebhookSignature.isValid(header, body: Data("Hello, World!".utf8), secret: "It's a Secret to Everybody"))
    }

    @Test("each service has its own fixed 64-hex secret, derived from the server key")
    func secrets() {
        let signatures = WebhookSignature(key: SymmetricKey(size: .bits256))
        let one = signatures.secret(serviceId: "s-1")
        #expect(one.count == 64 && one.allSatisfy(\.isHexDigit))
        #expect(signatures.secret(serviceId: "s-1") == one)
        #expect(signatures.secret(serviceId: "s-2") != one)
        #expect(WebhookSignature(key: SymmetricKey(size: .bits256)).secret(serviceId: "s-1") != one)
    }

    // MARK: Payloads and decisions

    @Test("a push payload gives its branch, commit and changed files")
    func parsing() throws {
        let push = try GitHubPush.parse(Self.payload)
        #expect(push.branch == "main")
        #expect(push.commitSha == "9f3c2a1b0e9f3c2a1b0e9f3c2a1b0e9f3c2a1b0e")
        #expect(push.headCommit?.message == "Fix the header" && push.headCommit?.author?.name == "Ada")
        #expect(push.changedPaths == ["docs/a.md", "src/app.py", "old.txt"])
        let tag = try GitHubPush.parse(Data(#"{"ref":"refs/tags/v1","after":"abcdef1234"}"#.utf8))
        #expect(tag.branch == nil)
        let deleted = try GitHubPush.parse(Data(#"{"ref":"refs/heads/main","after":"0000000000000000000000000000000000000000","deleted":true}"#.utf8))
        #expect(deleted.commitSha == nil)
        let odd = try GitHubPush.parse(Data(#"{"ref":"refs/heads/main","after":"--upload-pack=x"}"#.utf8))
        #expect(odd.commitSha == nil)
        let bare = try GitHubPush.parse(Data(#"{"ref":"refs/heads/main","after":"abcdef1234"}"#.utf8))
        #expect(bare.changedPaths == nil)
        #expect(throws: RailyardError.self) { try GitHubPush.parse(Data("payload=%7B%7D".utf8)) }
    }

    @Test("a push deploys only its service's branch, and only when a watched file changed")
    func decisions() throws {
        let push = try GitHubPush.parse(Self.payload)
        let source = ServiceSource(repo: "https://github.com/acme/shop.git", branch: "main")
        let sha = "9f3c2a1b0e9f3c2a1b0e9f3c2a1b0e9f3c2a1b0e"
        #expect(PushDecision.decide(push: push, source: source, watchPatterns: nil) == .deploy(commit: sha))
        #expect(PushDecision.decide(push: push, source: ServiceSource(repo: source.repo), watchPatterns: []) == .deploy(commit: sha))
        #expect(PushDecision.decide(push: push, source: source, watchPatterns: ["src/**"]) == .deploy(commit: sha))
        guard case .skip(let reason) = PushDecision.decide(push: push, source: source, watchPatterns: ["api/**"]) else {
            Issue.record("expected a skip")
            return
        }
        #expect(reason.contains("watchPatterns"))
        guard case .skip(let other) = PushDecision.decide(
            push: push, source: ServiceSource(repo: source.repo, branch: "release"), watchPatterns: nil
        ) else {
            Issue.record("expected a skip")
            return
        }
        #expect(other.contains("branch main") && other.contains("branch release"))
        guard case .skip = PushDecision.decide(push: push, source: .upload, watchPatterns: nil) else {
            Issue.record("expected a skip")
            return
        }
    }

    // MARK: Routes

    /// Sends raw `body` to the delivery route with `headers`.
    private func deliver(
        _ api: APIClient, serviceId: String, body: Data, signature: String?, event: String = "push"
    ) async throws -> APIClient.Reply {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[HTTPField.Name("X-GitHub-Event")!] = event
        if let signature { headers[HTTPField.Name("X-Hub-Signature-256")!] = signature }
        headers[HTTPField.Name("X-Forwarded-For")!] = "10.9.9.9"
        let response = try await api.client.executeRequest(
            uri: "/api/v1/webhooks/github/\(serviceId)", method: .post, headers: headers, body: ByteBuffer(bytes: body)
        )
        return APIClient.Reply(response: response)
    }

    @Test("the owner sees the webhook; deliveries are checked, pinged, filtered and size-limited")
    func routes() async throws {
        try await TestServer.with { api, fixture in
            let token = try await api.signup("alice@example.com").token
            let project = try await api.createProject("shop", token: token).project
            let created = try await api.send(
                .post, "/api/v1/projects/\(project.id)/services",
                body: CreateServiceRequest(name: "web", source: ServiceSource(repo: "https://github.com/acme/shop.git", branch: "release")),
                token: token
            )
            try #require(created.status == .created, "\(created.text)")
            let service: Service = try created.decode()

            let shown = try await api.send(.get, "/api/v1/projects/\(project.id)/services/\(service.id)/webhook", token: token)
            #expect(shown.status == .ok)
            let settings: WebhookSettings = try shown.decode()
            #expect(settings.url == "http://railyard.test/api/v1/webhooks/github/\(service.id)")
            #expect(settings.secret == WebhookSignature(secret: fixture.secret).secret(serviceId: service.id))
            let anonymous = try await api.send(.get, "/api/v1/projects/\(project.id)/services/\(service.id)/webhook")
            #expect(anonymous.status == .unauthorized)

            let body = Self.payload
            let signed = WebhookSignature.sign(body, secret: settings.secret)
            #expect(try await deliver(api, serviceId: service.id, body: body, signature: nil).status == .unauthorized)
            let wrong = try await deliver(api, serviceId: service.id, body: body, signature: WebhookSignature.sign(body, secret: "guess"))
            #expect(wrong.status == .unauthorized)
            #expect(wrong.error?.message.contains("X-Hub-Signature-256") == true)
            // An unknown service answers like a bad signature: ids are not revealed.
            #expect(try await deliver(api, serviceId: "nope", body: body, signature: signed).status == .unauthorized)

            let ping = try await deliver(api, serviceId: service.id, body: Data("{}".utf8), signature: WebhookSignature.sign(Data("{}".utf8), secret: settings.secret), event: "ping")
            #expect(ping.status == .ok)
            #expect(try ping.decode(WebhookResult.self).deployed == false)

            let otherBranch = try await deliver(api, serviceId: service.id, body: body, signature: signed)
            #expect(otherBranch.status == .ok)
            let result: WebhookResult = try otherBranch.decode()
            #expect(!result.deployed && result.reason?.contains("release") == true)
            let environment = try #require(try await fixture.store.environments(projectId: project.id).first)
            #expect(try await fixture.store.deployments(serviceId: service.id, environmentId: environment.id, limit: 10).isEmpty)

            // The service's settings watch api/**; this push touched none of it, so nothing deploys.
            let watched: Service = try await api.send(
                .post, "/api/v1/projects/\(project.id)/services",
                body: CreateServiceRequest(name: "api", source: ServiceSource(repo: "https://github.com/acme/shop.git")), token: token
            ).decode()
            try await fixture.store.saveServiceSettings(
                ServiceConfig(build: .init(watchPatterns: ["api/**"])), serviceId: watched.id, environmentId: environment.id
            )
            let unwatched = try await deliver(
                api, serviceId: watched.id, body: body,
                signature: WebhookSignature.sign(body, secret: WebhookSignature(secret: fixture.secret).secret(serviceId: watched.id))
            )
            #expect(unwatched.status == .ok, "\(unwatched.text)")
            #expect(try unwatched.decode(WebhookResult.self).reason?.contains("watchPatterns") == true)
            #expect(try await fixture.store.deployments(serviceId: watched.id, environmentId: environment.id, limit: 10).isEmpty)

            let huge = Data(repeating: UInt8(ascii: " "), count: WebhookController.maxBodyBytes + 1)
            let tooLarge = try await deliver(api, serviceId: service.id, body: huge, signature: WebhookSignature.sign(huge, secret: settings.secret))
            #expect(tooLarge.status == .contentTooLarge)
        }
    }

    @Test("webhook deliveries have their own per-IP budget")
    func rateLimited() async throws {
        try await TestServer.with({ $0.webhookRateLimit = RateLimitRule(limit: 2, window: 60) }) { api, _ in
            for _ in 0..<2 {
                let reply = try await deliver(api, serviceId: "x", body: Data("{}".utf8), signature: nil)
                #expect(reply.status == .unauthorized)
            }
            let limited = try await deliver(api, serviceId: "x", body: Data("{}".utf8), signature: nil)
            #expect(limited.status == .tooManyRequests)
        }
    }
}
