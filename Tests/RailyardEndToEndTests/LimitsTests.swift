import Foundation
import RailyardCore
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

        /// Answers /whoami with its uid and user name, and /hog with a 200 MiB allocation.
        static let identityApp = """
            import http.server, os, pwd
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    if self.path == "/hog":
                        hoard = bytearray(200 * 1024 * 1024)
                        for i in range(0, len(hoard), 4096): hoard[i] = 1
                    uid = os.getuid()
                    body = f"{uid} {pwd.getpwuid(uid).pw_name}".encode()
                    self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args): pass
            http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
            """

        static func isolation(_ cli: CLIRunner, service: String, in directory: String) async throws -> ServiceIsolation {
            let shown = try await cli.run(["service", "limits", service, "--json"], in: directory)
            try #require(shown.status == 0, "\(shown)")
            return try JSONDecoder().decode(ServiceIsolation.self, from: Data(shown.stdout.utf8))
        }

        @Test("limits set with the CLI are shown by the API and enforced from the next deployment; each service runs as a user of its own that owns its build", .enabled(if: cgroupsUsable))
        func serviceLimitsAndUsers() async throws {
            try await ServerProcess.withServer { root, server, edge in
                let appDir = try DeployPathTests.app(root, "mine", ["main.py": Self.identityApp])
                let cli = try CLIRunner(root: root, workingDirectory: appDir)
                #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "users@example.com", "--password", "correct-horse-9"]).status == 0)
                #expect(try await cli.run(["init", "--name", "users"]).status == 0)
                let up = try await cli.run(["up"], timeout: .seconds(120))
                try #require(up.status == 0, "\(up)")
                let host = try #require(DeployPathTests.url(in: up.stdout).flatMap(EdgeRequest.host(of:)))

                let mine = try await Self.isolation(cli, service: "mine", in: appDir)
                let uid = try #require(mine.uid)
                #expect(uid >= Isolation.defaultUserBase)
                #expect(mine.sandbox == "bubblewrap" && mine.enforcement == "cgroup v1" && mine.deploymentId != nil)
                #expect(mine.limits == .init(memoryBytes: 512 << 20, cpu: 0.5, pids: 512))
                #expect(try await EdgeRequest.get(edge, host: host, path: "/whoami").body == "\(uid) app", "runs as its own uid, named app")
                #expect(try await EdgeRequest.get(edge, host: host, path: "/hog").status == 200, "200 MiB fits in the default 512 MiB")

                let other = try DeployPathTests.app(root, "theirs", ["main.py": Self.identityApp])
                #expect(try await cli.run(["link", "--project", "users"], in: other).status == 0)
                #expect(try await cli.run(["service", "new", "theirs"], in: other).status == 0)
                #expect(try await cli.run(["up", "--service", "theirs"], in: other, timeout: .seconds(120)).status == 0)
                let theirs = try #require(try await Self.isolation(cli, service: "theirs", in: other).uid)
                #expect(theirs != uid, "one uid per service")

                // Every built app folder belongs to its service's user and is closed to everyone else.
                let artifacts = URL(fileURLWithPath: root.path + "/data/artifacts")
                var owners: Set<UInt32> = []
                for deployment in try FileManager.default.contentsOfDirectory(atPath: artifacts.path) {
                    let attributes = try FileManager.default.attributesOfItem(atPath: artifacts.path + "/\(deployment)/app")
                    owners.insert((attributes[.ownerAccountID] as? NSNumber)?.uint32Value ?? 0)
                    #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
                }
                #expect(owners == [uid, theirs])

                let set = try await cli.run(["service", "limits", "mine", "--memory", "128Mi", "--cpu", "250m", "--pids", "64"], in: appDir)
                #expect(set.status == 0 && set.stdout.contains("they apply from the next deployment") && set.stdout.contains("512 MiB"), "\(set)")
                let bad = try await cli.run(["service", "limits", "mine", "--memory", "lots"], in: appDir)
                #expect(bad.status != 0 && bad.stderr.contains("deploy.memoryLimit"), "\(bad)")
                let again = try await cli.run(["up"], timeout: .seconds(120))
                #expect(again.stdout.contains("limits 128 MiB, 250m CPU, 64 pids"), "\(again.stdout)")
                let limited = try await Self.isolation(cli, service: "mine", in: appDir)
                #expect(limited.limits == .init(memoryBytes: 128 << 20, cpu: 0.25, pids: 64))
                #expect(try await EdgeRequest.get(edge, host: host, path: "/hog").status == 502, "200 MiB no longer fits in 128 MiB")

                // An app asks; the operator decides: above the server's maximum, it gets the maximum.
                #expect(try await cli.run(["service", "limits", "mine", "--pids", "100000"], in: appDir).status == 0)
                let greedy = try await cli.run(["up"], timeout: .seconds(120))
                #expect(greedy.stdout.contains("above this server's maximum") && greedy.stdout.contains("4096 pids"), "\(greedy.stdout)")
                #expect(try await Self.isolation(cli, service: "mine", in: appDir).limits.pids == 4096)
            }
        }

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
                let events = try await cli.run(["logs", "--build"], in: hogDir).stdout
                #expect(events.contains("was killed for using more than its 512 MiB of memory (out of memory)"), "among the deployment's events too: \(events)")
                var back = ""
                for _ in 0..<50 {
                    back = try await EdgeRequest.get(edge, host: host).body
                    if back == "alive" { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                let history = back == "alive" ? "" : try await cli.run(["logs", "--build"], in: hogDir).stdout
                #expect(back == "alive", "restarted by the restart policy: \(back.prefix(600))\n\(history)")
            }
        }
    }
}
