import Foundation
import RailyardRuntime
import Testing

extension EndToEndTests {
    /// Issue 6's first piece: every replica runs in a cgroup of its own with the default limits, and
    /// a memory hog is killed by the kernel, said in the logs, restarted, and harms nobody else.
    @Suite("End to end: per-replica resource limits")
    struct LimitsTests {
        static var cgroupsUsable: Bool { getuid() == 0 && CgroupVersion.detect() != nil }

        static let hog = """
            import http.server, os
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    if self.path == "/hog":
                        hoard = bytearray(900 * 1024 * 1024)
                        for i in range(0, len(hoard), 4096): hoard[i] = 1
                    body = b"alive"
                    self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args): pass
            http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
            """

        @Test("--require-sandbox starts where the sandbox, a separate user and cgroups are all in force", .enabled(if: cgroupsUsable))
        func requireSandbox() async throws {
            try await ServerProcess.withServer(extraArguments: ["--require-sandbox"]) { _, server, _ in
                #expect(server.isRunning)
            }
        }

        @Test("a replica over its 512 MiB is OOM-killed, logged as such and restarted; its neighbour keeps answering", .enabled(if: cgroupsUsable))
        func memoryHog() async throws {
            try await ServerProcess.withServer { root, server, edge in
                let hogDir = try DeployPathTests.app(root, "hog", ["main.py": Self.hog])
                let cli = try CLIRunner(root: root, workingDirectory: hogDir)
                #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "limits@example.com", "--password", "correct-horse-9"]).status == 0)
                #expect(try await cli.run(["init", "--name", "limits"]).status == 0)
                let up = try await cli.run(["up"], timeout: .seconds(120))
                try #require(up.status == 0, "\(up)")
                #expect(up.stdout.contains("limits 512 MiB, 500m CPU, 512 pids"), "\(up.stdout)")
                let host = try #require(DeployPathTests.url(in: up.stdout).flatMap(EdgeRequest.host(of:)))

                let neighbour = try DeployPathTests.app(root, "calm", ["main.py": SupervisorTests.app(word: "calm")])
                #expect(try await cli.run(["link", "--project", "limits"], in: neighbour).status == 0)
                #expect(try await cli.run(["service", "new", "calm"], in: neighbour).status == 0)
                let calmUp = try await cli.run(["up", "--service", "calm"], in: neighbour, timeout: .seconds(120))
                let calmHost = try #require(DeployPathTests.url(in: calmUp.stdout).flatMap(EdgeRequest.host(of:)))

                let hogged = try await EdgeRequest.get(edge, host: host, path: "/hog")
                #expect(hogged.status == 502, "the request that blew the limit has no answer: \(hogged)")
                #expect(try await EdgeRequest.get(edge, host: calmHost).body.hasPrefix("calm "))
                var logs = ""
                for _ in 0..<50 {
                    logs = try await cli.run(["logs"], in: hogDir).stdout
                    if logs.contains("out of memory") { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(logs.contains("was killed for using more than its 512 MiB of memory (out of memory)"), "\(logs)")
                var back = ""
                for _ in 0..<50 {
                    back = try await EdgeRequest.get(edge, host: host).body
                    if back == "alive" { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(back == "alive", "restarted by the restart policy")
            }
        }
    }
}
