import Foundation
import RailyardClient
import RailyardCore
import Testing

extension EndToEndTests {
    /// Issue 7's access logs: every request through the edge to a service is logged with its time,
    /// method, path, status, duration, bytes and request id, and `railyard logs --http` filters them.
    @Suite("End to end: HTTP access logs")
    struct HTTPLogTests {
        static let app = """
            import http.server, os
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    code = 500 if self.path.startswith("/boom") else 404 if self.path.startswith("/missing") else 200
                    body = f"{code} {self.path}".encode()
                    self.send_response(code); self.send_header("Content-Length", str(len(body))); self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args): pass
            http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
            """

        @Test("railyard logs --http shows the service's requests, filtered by status and path; --edge-max-body holds")
        func accessLog() async throws {
            try await ServerProcess.withServer(extraArguments: ["--edge-max-body", "1Ki"]) { root, server, edge in
                let folder = try DeployPathTests.app(root, "web", ["main.py": Self.app])
                let cli = try CLIRunner(root: root, workingDirectory: folder)
                #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "http@example.com", "--password", "correct-horse-9"]).status == 0)
                #expect(try await cli.run(["init", "--name", "traffic"]).status == 0)
                let up = try await cli.run(["up"], timeout: .seconds(120))
                try #require(up.status == 0, "\(up)")
                let host = try #require(DeployPathTests.url(in: up.stdout).flatMap(EdgeRequest.host(of:)))
                let upload = try await EdgeRequest.post(edge + "/upload", body: Data(count: 2048), headers: ["Host": host])
                #expect(upload.status == 413 && upload.body.contains("larger than the 1 KiB"), "the server's --edge-max-body 1Ki: \(upload)")
                for path in ["/", "/orders?page=2", "/missing/thing", "/boom"] {
                    _ = try await EdgeRequest.get(edge, host: host, path: path)
                }
                #expect(try await EdgeRequest.get(edge, host: "nobody.example.com").status == 404, "an unknown host is nobody's log")

                let all = try await cli.run(["logs", "--http", "--json"])
                try #require(all.status == 0, "\(all)")
                let records = try RailyardJSON.decoder().decode([AccessRecord].self, from: Data(all.stdout.utf8))
                let rest = records.filter { $0.path != "/" || $0.method != "GET" }
                #expect(rest.map(\.path).suffix(3) == ["/orders", "/missing/thing", "/boom"], "the path without its query: \(records.map(\.path))")
                let boom = try #require(records.last)
                #expect(boom.status == 500 && boom.method == "GET" && boom.host == host && boom.bytes == "500 /boom".utf8.count)
                #expect(boom.durationMs > 0 && boom.requestId.count >= 16)
                #expect(!records.contains { $0.host == "nobody.example.com" })

                let text = try await cli.run(["logs", "--http"])
                #expect(text.stdout.contains("GET /boom 500 ") && text.stdout.contains("9B \(boom.requestId)"), "\(text.stdout)")
                let errors = try await cli.run(["logs", "--http", "--status", "5xx"])
                #expect(errors.stdout.split(separator: "\n").count == 1 && errors.stdout.contains("/boom"), "\(errors.stdout)")
                let missing = try await cli.run(["logs", "--http", "--path", "/miss"])
                #expect(missing.stdout.split(separator: "\n").count == 1 && missing.stdout.contains(" 404 "), "\(missing.stdout)")
                let bad = try await cli.run(["logs", "--http", "--status", "5x"])
                #expect(bad.status != 0 && bad.stderr.contains("status must be a status code like 404 or a class like 5xx"), "\(bad)")
                let misuse = try await cli.run(["logs", "--status", "5xx"])
                #expect(misuse.status != 0 && misuse.stderr.contains("add --http"), "\(misuse)")
            }
        }
    }
}
