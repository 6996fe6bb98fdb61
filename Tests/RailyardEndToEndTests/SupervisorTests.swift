import Foundation
import Testing

extension EndToEndTests {
    /// Issue 5's supervisor through a real server: replicas behind round robin, a failing health check
    /// or pre-deploy command that never takes traffic, a killed replica restarted, a crash loop that
    /// ends CRASHED.
    @Suite("End to end: the supervisor")
    struct SupervisorTests {
        /// A Python app answering `<word> <replica id>` on `/`, `/health` with `healthStatus`, and its pid on `/pid`;
        /// with `dieAfter` it exits with status 1 that many seconds after it starts.
        static func app(word: String, healthStatus: Int = 200, dieAfter: Double? = nil) -> String {
            """
            import http.server, os, sys, threading
            if \(dieAfter.map { "\($0)" } ?? "None") is not None:
                threading.Timer(\(dieAfter ?? 0), lambda: os._exit(1)).start()
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    if self.path == "/health":
                        code, body = \(healthStatus), b"health"
                    elif self.path == "/pid":
                        code, body = 200, str(os.getpid()).encode()
                    else:
                        code, body = 200, ("\(word) " + os.environ["RAILYARD_REPLICA_ID"]).encode()
                    self.send_response(code); self.send_header("Content-Length", str(len(body))); self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args): pass
            http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
            """
        }

        @Test("replicas, failing health checks and pre-deploy commands, restarts, and a crash loop")
        func supervisor() async throws {
            try await ServerProcess.withServer { root, server, edge in
                let dir = try DeployPathTests.app(root, "web", [
                    "main.py": Self.app(word: "v1"),
                    "railway.json": #"{"deploy": {"numReplicas": 2, "healthcheckPath": "/health", "drainingSeconds": 1}}"#,
                ])
                let cli = try CLIRunner(root: root, workingDirectory: dir)
                #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "sup@example.com", "--password", "correct-horse-9"]).status == 0)
                #expect(try await cli.run(["init", "--name", "sup"]).status == 0)
                let up = try await cli.run(["up"], timeout: .seconds(180))
                try #require(up.status == 0, "\(up)\n\(server.logs())")
                let host = try #require(DeployPathTests.url(in: up.stdout).flatMap(EdgeRequest.host(of:)))

                // Two replicas, round robin.
                var answers: Set<String> = []
                for _ in 0..<6 {
                    let response = try await EdgeRequest.get(edge, host: host)
                    #expect(response.status == 200 && response.body.hasPrefix("v1 "), "\(response)")
                    answers.insert(response.body)
                }
                #expect(answers.count == 2, "both replicas answer: \(answers)")

                // A new version whose health check fails never takes traffic.
                try Self.app(word: "v2", healthStatus: 500).write(toFile: dir + "/main.py", atomically: true, encoding: .utf8)
                try #"{"deploy": {"healthcheckPath": "/health", "healthcheckTimeout": 3}}"#
                    .write(toFile: dir + "/railway.json", atomically: true, encoding: .utf8)
                let unhealthy = try await cli.run(["up"], timeout: .seconds(120))
                #expect(unhealthy.status != 0)
                #expect((unhealthy.stdout + unhealthy.stderr).contains("did not become healthy within 3.0 seconds"), "\(unhealthy)")
                #expect((unhealthy.stdout + unhealthy.stderr).contains("the health check answered 500"), "\(unhealthy)")
                #expect(try await EdgeRequest.get(edge, host: host).body.hasPrefix("v1 "))

                // A failing pre-deploy command fails the deployment before any replica starts.
                try Self.app(word: "v3").write(toFile: dir + "/main.py", atomically: true, encoding: .utf8)
                try #"{"deploy": {"preDeployCommand": "echo migrating; exit 3"}}"#
                    .write(toFile: dir + "/railway.json", atomically: true, encoding: .utf8)
                let preDeploy = try await cli.run(["up"], timeout: .seconds(120))
                #expect(preDeploy.status != 0)
                #expect((preDeploy.stdout + preDeploy.stderr).contains("the pre-deploy command failed: `echo migrating; exit 3` exited with status 3"), "\(preDeploy)")
                #expect((preDeploy.stdout + preDeploy.stderr).contains("migrating"), "its output is in the build log: \(preDeploy)")
                #expect(!(preDeploy.stdout + preDeploy.stderr).contains("Starting replica"), "\(preDeploy)")
                #expect(try await EdgeRequest.get(edge, host: host).body.hasPrefix("v1 "))

                // A replica killed from outside is restarted by the default restart policy.
                // The app's own pid is its sandbox's; find it on the host by its replica id.
                let victim = try await EdgeRequest.get(edge, host: host).body
                let replicaId = String(victim.split(separator: " ").last ?? "")
                let pids = ProcessScan.pythonPids(withEnvironment: "RAILYARD_REPLICA_ID=\(replicaId)")
                try #require(!pids.isEmpty, "no host process of replica \(replicaId)")
                for pid in pids { kill(pid, SIGKILL) }
                var restarted = false
                for _ in 0..<100 {
                    var ids: Set<String> = []
                    for _ in 0..<4 { ids.insert(try await EdgeRequest.get(edge, host: host).body) }
                    if ids.count == 2, !ids.isSubset(of: answers) {
                        restarted = true
                        break
                    }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(restarted, "a new replica took the killed one's place\n\(server.logs())")

                // A service that keeps dying ends CRASHED after its retries and answers 503.
                let crasher = try DeployPathTests.app(root, "crasher", [
                    "main.py": Self.app(word: "doomed", dieAfter: 1.5),
                    "railway.json": #"{"deploy": {"restartPolicyType": "ON_FAILURE", "restartPolicyMaxRetries": 2}}"#,
                ])
                #expect(try await cli.run(["link", "--project", "sup"], in: crasher).status == 0)
                #expect(try await cli.run(["service", "new", "crasher"], in: crasher).status == 0)
                let crasherUp = try await cli.run(["up", "--service", "crasher"], in: crasher, timeout: .seconds(120))
                try #require(crasherUp.status == 0, "\(crasherUp)")
                let crasherHost = try #require(DeployPathTests.url(in: crasherUp.stdout).flatMap(EdgeRequest.host(of:)))
                var status = ""
                for _ in 0..<60 {
                    status = try await cli.run(["status"], in: crasher).stdout
                    if status.contains("CRASHED") { break }
                    try await Task.sleep(for: .milliseconds(500))
                }
                #expect(status.contains("CRASHED"), "\(status)")
                let down = try await EdgeRequest.get(edge, host: crasherHost)
                #expect(down.status == 503 && down.body.contains("crashed"), "\(down)")
                let logs = try await cli.run(["logs", "--service", "crasher"], in: crasher)
                #expect(logs.stdout.contains("exited with status 1"), "\(logs)")
                #expect(try await EdgeRequest.get(edge, host: host).body.hasPrefix("v1 "), "the other service is unharmed")
            }
        }

        /// Distinct bodies seen over `count` requests.
        static func bodies(_ edge: String, _ host: String, count: Int = 12) async throws -> Set<String> {
            var seen: Set<String> = []
            for _ in 0..<count {
                let response = try await EdgeRequest.get(edge, host: host)
                if response.status == 200 { seen.insert(response.body) }
            }
            return seen
        }

        /// Polls until `done` holds for the bodies seen (up to ~20 s); returns the last ones seen.
        static func eventually(_ edge: String, _ host: String, _ done: (Set<String>) -> Bool) async throws -> Set<String> {
            var seen: Set<String> = []
            for _ in 0..<100 {
                seen = try await bodies(edge, host)
                if done(seen) { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            return seen
        }

        @Test("scale applies now and is kept; restart replaces every replica; rollback serves the earlier version")
        func scaleRestartRollback() async throws {
            try await ServerProcess.withServer { root, server, edge in
                let dir = try DeployPathTests.app(root, "web", ["main.py": Self.app(word: "v1")])
                let cli = try CLIRunner(root: root, workingDirectory: dir)
                #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "ops@example.com", "--password", "correct-horse-9"]).status == 0)
                #expect(try await cli.run(["init", "--name", "ops"]).status == 0)
                let up = try await cli.run(["up"], timeout: .seconds(120))
                try #require(up.status == 0, "\(up)")
                let host = try #require(DeployPathTests.url(in: up.stdout).flatMap(EdgeRequest.host(of:)))
                let one = try await Self.bodies(edge, host)
                #expect(one.count == 1)

                let scaled = try await cli.run(["scale", "3"])
                #expect(scaled.status == 0 && scaled.stdout.contains("3 replicas"), "\(scaled)")
                let three = try await Self.eventually(edge, host) { $0.count == 3 }
                #expect(three.count == 3 && three.isSuperset(of: one), "\(three)")
                #expect(try await cli.run(["service", "settings"]).stdout.contains("deploy.numReplicas"))
                #expect(try await cli.run(["scale", "0"]).status != 0)

                #expect(try await cli.run(["restart"]).status == 0)
                let restarted = try await Self.eventually(edge, host) { $0.count == 3 && $0.isDisjoint(with: three) }
                #expect(restarted.count == 3 && restarted.isDisjoint(with: three), "every replica is new: \(restarted)")
                #expect(restarted.allSatisfy { $0.hasPrefix("v1 ") })

                try Self.app(word: "v2").write(toFile: dir + "/main.py", atomically: true, encoding: .utf8)
                #expect(try await cli.run(["up"], timeout: .seconds(120)).status == 0)
                #expect(try await Self.bodies(edge, host).allSatisfy { $0.hasPrefix("v2 ") })
                let rollback = try await cli.run(["rollback"], timeout: .seconds(120))
                #expect(rollback.status == 0, "\(rollback)")
                #expect(rollback.stdout.contains("Rolling back to the release of deployment"), "\(rollback)")
                let back = try await Self.bodies(edge, host)
                #expect(!back.isEmpty && back.allSatisfy { $0.hasPrefix("v1 ") }, "\(back)")
                #expect(back.count == 3, "the service's settings (3 replicas) still apply: \(back)")
            }
        }
    }
}
