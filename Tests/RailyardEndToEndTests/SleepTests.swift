import Foundation
import Testing

extension EndToEndTests {
    /// Issue 8's app sleeping: a `sleepApplication` service quiet for `--sleep-after` stops its
    /// replicas and shows SLEEPING; the next request wakes it and is answered.
    @Suite("End to end: app sleeping")
    struct SleepTests {
        static let app = """
            import http.server, os, sys
            BOOT = os.urandom(6).hex()  # one per process: the sandbox's pid would be the same each time
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    body = f"awake {BOOT}".encode()
                    self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args): pass
            http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
            """

        /// Whether a process whose command line holds `marker` runs.
        static func running(_ marker: String) -> Bool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
            process.arguments = ["-f", marker]
            process.standardOutput = FileHandle.nullDevice
            try? process.run()
            process.waitUntilExit()
            return process.terminationStatus == 0
        }

        @Test("a quiet service sleeps (replica stopped, SLEEPING); a request wakes it and gets its answer; it sleeps again")
        func sleepAndWake() async throws {
            try await ServerProcess.withServer(extraArguments: ["--sleep-after", "2s"]) { root, server, edge in
                let marker = "sleeper-\(UUID().uuidString.prefix(8))"
                let folder = try DeployPathTests.app(root, "sleepy", [
                    "main.py": Self.app,
                    "railway.json": #"{"deploy": {"sleepApplication": true, "startCommand": "python3 main.py \#(marker)"}}"#,
                ])
                let cli = try CLIRunner(root: root, workingDirectory: folder)
                #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "sleep@example.com", "--password", "correct-horse-9"]).status == 0)
                #expect(try await cli.run(["init", "--name", "sleepy"]).status == 0)
                let up = try await cli.run(["up"], timeout: .seconds(120))
                try #require(up.status == 0, "\(up)")
                let host = try #require(DeployPathTests.url(in: up.stdout).flatMap(EdgeRequest.host(of:)))
                let first = try await EdgeRequest.get(edge, host: host)
                #expect(first.status == 200 && first.body.hasPrefix("awake"), "\(first)")

                // Requests keep it awake.
                for _ in 0..<6 {
                    try await Task.sleep(for: .milliseconds(500))
                    #expect(try await EdgeRequest.get(edge, host: host).status == 200)
                }
                #expect(try await cli.run(["status"]).stdout.contains("SUCCESS"))

                // Quiet for 2 s: asleep.
                var status = ""
                for _ in 0..<40 {
                    try await Task.sleep(for: .milliseconds(250))
                    status = try await cli.run(["status"]).stdout
                    if status.contains("SLEEPING") { break }
                }
                #expect(status.contains("SLEEPING"), "\(status)")
                try await Task.sleep(for: .milliseconds(500))
                #expect(!Self.running(marker), "the replica is stopped while the service sleeps")

                let start = ContinuousClock.now
                let woken = try await EdgeRequest.get(edge, host: host)
                let wake = ContinuousClock.now - start
                #expect(woken.status == 200 && woken.body.hasPrefix("awake") && woken.body != first.body, "a new replica answered: \(woken)")
                print("sleep e2e: the request that woke the service was answered in \(wake)")
                #expect(Self.running(marker))
                #expect(try await cli.run(["status"]).stdout.contains("SUCCESS"))
                let logs = try await cli.run(["logs"])
                #expect(logs.stdout.contains("Sleeping: no request") && logs.stdout.contains("Waking up"), "\(logs.stdout)")

                // And asleep again after another quiet period.
                for _ in 0..<40 {
                    try await Task.sleep(for: .milliseconds(250))
                    status = try await cli.run(["status"]).stdout
                    if status.contains("SLEEPING") { break }
                }
                #expect(status.contains("SLEEPING"), "\(status)")

                // A restarted server leaves it asleep (no replica starts with it); a request wakes it.
                _ = await server.stop()
                let again = try await ServerProcess.start(
                    dataDirectory: root.path + "/data", logDirectory: root.path, extraArguments: ["--sleep-after", "2s"]
                )
                defer { again.killNow() }
                let newEdge = try await again.edgeURL()
                try await Task.sleep(for: .seconds(2))
                #expect(!Self.running(marker), "the restart started the sleeping service:\n\(again.logs())")
                let revived = try await EdgeRequest.get(newEdge, host: host)
                #expect(revived.status == 200 && revived.body.hasPrefix("awake"), "\(revived)\n\(again.logs())")
                #expect(Self.running(marker))
            }
        }
    }
}
