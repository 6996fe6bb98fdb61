import Foundation
import Testing

extension EndToEndTests {
    /// Issue 9's variable references: `${{Service.NAME}}`, `${{shared.NAME}}` and `${{NAME}}` resolve at
    /// release time; an unknown service, an unknown variable or a cycle fails the deployment with a
    /// message naming it, and the release already running keeps serving.
    @Suite("End to end: variable references")
    struct VariableReferenceTests {
        static let app = """
            import http.server, os
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    body = "|".join(os.environ.get(k, "-") for k in ("API_HOST", "API_TOKEN", "GREETING", "VERSION")).encode()
                    self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args): pass
            http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
            """

        @Test("references resolve across services, shared and own variables; bad ones fail a deployment by name and the old one serves on")
        func references() async throws {
            try await ServerProcess.withServer { root, server, edge in
                let api = try DeployPathTests.app(root, "api", ["main.py": Self.app])
                let web = try DeployPathTests.app(root, "web", ["main.py": Self.app])
                let cli = try CLIRunner(root: root, workingDirectory: api)
                #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "refs@example.com", "--password", "correct-horse-9"]).status == 0)
                #expect(try await cli.run(["init", "--name", "refs"], in: api).status == 0)
                #expect(try await cli.run(["up"], in: api, timeout: .seconds(120)).status == 0)
                // Read from the store when web deploys: api needs no redeploy for it.
                #expect(try await cli.run(["variables", "--set", "TOKEN=t0k3n"], in: api).status == 0)

                #expect(try await cli.run(["link", "--project", "refs"], in: web).status == 0)
                #expect(try await cli.run(["service", "new", "web"], in: web).status == 0)
                #expect(try await cli.run(["variables", "--shared", "--set", "WHO=the edge"], in: web).status == 0)
                let set = try await cli.run([
                    "variables", "--set", "API_HOST=${{api.RAILYARD_PRIVATE_DOMAIN}}", "--set", "API_TOKEN=${{ API.TOKEN }}-web",
                    "--set", "GREETING=hello from ${{shared.WHO}} to ${{RAILYARD_PUBLIC_DOMAIN}}", "--set", "VERSION=1",
                ], in: web)
                #expect(set.status == 0, "\(set)")
                let up = try await cli.run(["up", "--service", "web"], in: web, timeout: .seconds(120))
                let buildLog = try await cli.run(["logs", "--service", "web", "--build"], in: web).stdout
                try #require(up.status == 0, "\(up)\n\(buildLog)")
                let host = try #require(DeployPathTests.url(in: up.stdout).flatMap(EdgeRequest.host(of:)))
                let served = try await EdgeRequest.get(edge, host: host)
                #expect(served.body == "api.railyard.internal|t0k3n-web|hello from the edge to \(host)|1", "\(served)")

                // Changing a referenced value names the services that use it and how to redeploy them.
                let changed = try await cli.run(["variables", "--set", "TOKEN=n3w"], in: api)
                #expect(changed.stdout.contains("Referred to by web;") && changed.stdout.contains("railyard redeploy --service web"), "\(changed)")
                let unrelated = try await cli.run(["variables", "--set", "OTHER=1"], in: api)
                #expect(unrelated.status == 0 && !unrelated.stdout.contains("Referred to by"), "\(unrelated)")
                #expect(try await cli.run(["redeploy", "--service", "web"], in: web, timeout: .seconds(120)).status == 0)
                #expect(try await EdgeRequest.get(edge, host: host).body.contains("|n3w-web|"))

                for (variables, says) in [
                    (["BROKEN=${{Postgres.DATABASE_URL}}"], "refers to ${{Postgres.DATABASE_URL}}, but this environment has no service named Postgres"),
                    (["BROKEN=${{api.NOPE}}"], "refers to ${{api.NOPE}}, but service api has no variable NOPE"),
                    (["BROKEN=${{LOOP}}", "LOOP=${{BROKEN}}"], "variables refer to each other in a cycle: web.BROKEN → web.LOOP → web.BROKEN"),
                ] {
                    #expect(try await cli.run(["variables", "--set"] + variables.flatMap { ["--set", $0] }.dropFirst(), in: web).status == 0)
                    let failed = try await cli.run(["redeploy", "--service", "web"], in: web, timeout: .seconds(120))
                    let log = try await cli.run(["logs", "--service", "web", "--build"], in: web).stdout
                    #expect(failed.status != 0 && log.contains(says), "\(failed)\n\(log)")
                    #expect(try await EdgeRequest.get(edge, host: host).body.contains("|n3w-web|"), "the running release is untouched")
                    #expect(try await cli.run(["variables", "--delete", "BROKEN", "--delete", "LOOP"], in: web).status == 0)
                }
            }
        }
    }
}
