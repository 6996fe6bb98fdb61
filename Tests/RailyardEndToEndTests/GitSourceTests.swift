import Crypto
import Foundation
import RailyardCore
import RailyardTestSupport
import Testing

extension EndToEndTests {
    /// Issue 4's git acceptance: a service deploys a real local repository's branch; a signed push
    /// deploys the new commit (whose sha the app sees); a bad signature gets 401 and deploys nothing;
    /// option-injection URLs get 400; a push that touches no watched file deploys nothing.
    @Suite("End to end: git sources and push webhooks")
    struct GitSourceTests {
        static let app: [String: String] = [
            "requirements.txt": "# no dependencies\n",
            "railway.json": #"{"build": {"watchPatterns": ["*.py", "version.txt"]}}"#,
            "main.py": """
                import http.server, os
                class H(http.server.BaseHTTPRequestHandler):
                    def do_GET(self):
                        version = open("version.txt").read().strip()
                        body = (version + " " + os.environ.get("RAILYARD_GIT_COMMIT_SHA", "?") + " "
                                + os.environ.get("RAILWAY_GIT_BRANCH", "?")).encode()
                        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
                        self.wfile.write(body)
                http.server.HTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
                """,
        ]

        /// A push payload as GitHub sends it, for `sha` changing `modified`.
        static func payload(sha: String, modified: [String]) throws -> Data {
            let commit: [String: Any] = [
                "id": sha, "message": "change", "author": ["name": "Ada"], "added": [String](), "modified": modified, "removed": [String](),
            ]
            return try JSONSerialization.data(withJSONObject: [
                "ref": "refs/heads/main", "before": String(repeating: "0", count: 40), "after": sha,
                "head_commit": commit, "commits": [commit], "repository": ["full_name": "acme/app"],
            ])
        }

        /// `sha256=<hex>` of `body` under `secret`.
        static func sign(_ body: Data, secret: String) -> String {
            let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
            return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
        }

        /// GETs the service through the edge until the body is `expected` (or `timeout` passes).
        static func waitFor(_ expected: String, edge: String, host: String, timeout: Duration = .seconds(120)) async throws -> EdgeRequest.Response {
            let deadline = ContinuousClock.now + timeout
            var response = try await EdgeRequest.get(edge, host: host)
            while response.body != expected, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(300))
                response = try await EdgeRequest.get(edge, host: host)
            }
            return response
        }

        @Test("a local repo's branch deploys, a signed push deploys the new commit, bad input is refused")
        func gitDeploys() async throws {
            let root = try TemporaryDirectory()
            let repo = try LocalGitRepository()
            defer {
                root.remove()
                repo.remove()
            }
            var files = Self.app
            files["version.txt"] = "v1\n"
            let first = try repo.commit(files, message: "First version")

            let server = try await ServerProcess.start(
                dataDirectory: root.path + "/data", logDirectory: root.path, extraArguments: ["--allow-local-git-sources"]
            )
            defer {
                server.killNow()
                ChildProcess.killMatching(root.path)
            }
            let edge = try await server.edgeURL()
            let home = try root.subdirectory("workspace")
            let cli = try CLIRunner(root: root, workingDirectory: home)
            #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "git@example.com", "--password", "correct-horse-9"]).status == 0)
            #expect(try await cli.run(["init", "--name", "gitdemo"]).status == 0)

            // URLs that would make git run a command are refused when the service is created.
            for bad in ["--upload-pack=touch \(root.path)/pwned", "ext::sh -c touch% \(root.path)/pwned", "-oProxyCommand=x"] {
                let refused = try await cli.run(["service", "new", "bad", "--repo=\(bad)"])
                #expect(refused.status != 0, "\(refused)")
                #expect((refused.stdout + refused.stderr).contains("source.repo"), "\(refused)")
            }
            #expect(!FileManager.default.fileExists(atPath: root.path + "/pwned"))

            let created = try await cli.run(["service", "new", "web", "--repo", repo.fileURL, "--branch", "main"])
            try #require(created.status == 0, "\(created)")
            let deployed = try await cli.run(["redeploy", "--service", "web", "--latest"], timeout: .seconds(180))
            try #require(deployed.status == 0, "\(deployed)\nserver: \(server.logs())")
            let url = try #require(deployed.stdout.split(whereSeparator: \.isWhitespace).map(String.init).last { $0.hasPrefix("http://") })
            let host = try #require(EdgeRequest.host(of: url))
            let v1 = try await EdgeRequest.get(edge, host: host)
            #expect(v1.status == 200 && v1.body == "v1 \(first) main", "\(v1)")
            let status = try await cli.run(["status", "--json"])
            #expect(status.stdout.contains(first), "\(status)")

            // The webhook's URL and secret, as the owner sees them.
            let shown = try await cli.run(["service", "webhook", "--service", "web", "--json"])
            try #require(shown.status == 0, "\(shown)")
            let settings = try JSONDecoder().decode(WebhookSettings.self, from: Data(shown.stdout.utf8))
            #expect(settings.url.hasPrefix(server.baseURL) || settings.url.contains("/api/v1/webhooks/github/"))
            let hook = server.baseURL + "/api/v1/webhooks/github/" + (settings.url.split(separator: "/").last.map(String.init) ?? "")

            files = ["version.txt": "v2\n"]
            let second = try repo.commit(files, message: "Second version")
            let body = try Self.payload(sha: second, modified: ["version.txt"])

            // A wrong signature: 401, nothing queued.
            let forged = try await EdgeRequest.post(hook, body: body, headers: [
                "Content-Type": "application/json", "X-GitHub-Event": "push", "X-Hub-Signature-256": Self.sign(body, secret: "guessed"),
            ])
            #expect(forged.status == 401, "\(forged)")
            let unsigned = try await EdgeRequest.post(hook, body: body, headers: ["Content-Type": "application/json", "X-GitHub-Event": "push"])
            #expect(unsigned.status == 401, "\(unsigned)")
            let history = try await cli.run(["status", "--json"])
            #expect(!history.stdout.contains(second), "\(history)")

            // GitHub's ping, then the signed push: the new commit is deployed and its sha reaches the app.
            let ping = try await EdgeRequest.post(hook, body: Data("{}".utf8), headers: [
                "X-GitHub-Event": "ping", "X-Hub-Signature-256": Self.sign(Data("{}".utf8), secret: settings.secret),
            ])
            #expect(ping.status == 200, "\(ping)")
            let pushed = try await EdgeRequest.post(hook, body: body, headers: [
                "Content-Type": "application/json", "X-GitHub-Event": "push", "X-Hub-Signature-256": Self.sign(body, secret: settings.secret),
            ])
            #expect(pushed.status == 202 && pushed.body.contains(#""deployed":true"#), "\(pushed)")
            let v2 = try await Self.waitFor("v2 \(second) main", edge: edge, host: host)
            #expect(v2.status == 200 && v2.body == "v2 \(second) main", "\(v2)\nserver: \(server.logs())")

            // A push touching only files no watch pattern matches deploys nothing.
            let third = try repo.commit(["docs/notes.md": "notes\n"], message: "Docs only")
            let docs = try Self.payload(sha: third, modified: ["docs/notes.md"])
            let skipped = try await EdgeRequest.post(hook, body: docs, headers: [
                "Content-Type": "application/json", "X-GitHub-Event": "push", "X-Hub-Signature-256": Self.sign(docs, secret: settings.secret),
            ])
            #expect(skipped.status == 200 && skipped.body.contains(#""deployed":false"#) && skipped.body.contains("watchPatterns"), "\(skipped)")

            // `redeploy` rebuilds the deployed commit, not the branch's newer head.
            let again = try await cli.run(["redeploy", "--service", "web"], timeout: .seconds(180))
            #expect(again.status == 0, "\(again)")
            #expect(try await EdgeRequest.get(edge, host: host).body == "v2 \(second) main")

            // A branch that does not exist: a FAILED deployment whose reason is git's, in the logs.
            let missing = try await cli.run(["service", "new", "ghost", "--repo", repo.fileURL, "--branch", "nope"])
            try #require(missing.status == 0, "\(missing)")
            let failed = try await cli.run(["redeploy", "--service", "ghost", "--latest"], timeout: .seconds(120))
            #expect(failed.status != 0, "\(failed)")
            #expect((failed.stdout + failed.stderr).contains("could not fetch branch nope of \(repo.fileURL)"), "\(failed)")
            let logs = try await cli.run(["logs", "--service", "ghost", "--build"])
            #expect((logs.stdout + logs.stderr).contains("could not fetch branch nope"), "\(logs)")
        }
    }
}
