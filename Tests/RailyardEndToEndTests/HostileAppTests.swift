import Foundation
import RailyardRuntime
import Testing

extension EndToEndTests {
    /// Issue 6's hostile-app tests: an app that snoops, fork-bombs or spins is contained by the
    /// sandbox and its cgroup, and the neighbour beside it, the API and the host stay unharmed.
    @Suite("End to end: hostile apps are contained")
    struct HostileAppTests {
        /// Replicas are sandboxed as another user: the server runs as root and bubblewrap and setpriv are here.
        static var sandboxUsable: Bool {
            let isolation = Isolation.detect()
            return getuid() == 0 && isolation.bwrapPath != nil && isolation.setprivPath != nil
        }

        /// One project with a calm neighbour service and the hostile app deployed beside it.
        struct Tenants {
            let cli: CLIRunner
            let hostileHost: String
            let neighbourHost: String
        }

        /// Deploys the neighbour (`calm`, or `neighbourFiles` laid over it), then the hostile app, whose files
        /// are asked for only once the neighbour runs (so they can name its paths).
        static func deploy(
            _ root: TemporaryDirectory, _ server: ServerProcess, neighbourFiles: [String: String] = [:],
            hostileFiles: () throws -> [String: String]
        ) async throws -> Tenants {
            let neighbour = try DeployPathTests.app(root, "calm", ["main.py": SupervisorTests.app(word: "calm")].merging(neighbourFiles) { $1 })
            let cli = try CLIRunner(root: root, workingDirectory: neighbour)
            try #require(try await cli.run(["signup", "--server", server.baseURL, "--email", "hostile@example.com", "--password", "correct-horse-9"]).status == 0)
            try #require(try await cli.run(["init", "--name", "hostile"]).status == 0)
            let calmUp = try await cli.run(["up"], timeout: .seconds(120))
            try #require(calmUp.status == 0, "\(calmUp)\n\(server.logs())")
            let neighbourHost = try #require(DeployPathTests.url(in: calmUp.stdout).flatMap(EdgeRequest.host(of:)))

            let hostile = try DeployPathTests.app(root, "hostile", try hostileFiles())
            #expect(try await cli.run(["link", "--project", "hostile"], in: hostile).status == 0)
            #expect(try await cli.run(["service", "new", "hostile"], in: hostile).status == 0)
            let up = try await cli.run(["up", "--service", "hostile"], in: hostile, timeout: .seconds(120))
            try #require(up.status == 0, "\(up)\n\(server.logs())")
            let hostileHost = try #require(DeployPathTests.url(in: up.stdout).flatMap(EdgeRequest.host(of:)))
            return Tenants(cli: try CLIRunner(root: root, workingDirectory: hostile), hostileHost: hostileHost, neighbourHost: neighbourHost)
        }

        /// A GET through the edge and how long it took.
        static func timedGet(_ edge: String, host: String, path: String = "/") async throws -> (EdgeRequest.Response, Duration) {
            let clock = ContinuousClock()
            let start = clock.now
            let response = try await EdgeRequest.get(edge, host: host, path: path)
            return (response, clock.now - start)
        }

        /// The hostile replica's cgroup file `name` (e.g. `pids.current`), from whichever of its folders has it.
        static func cgroupFile(_ name: String, host: String, edge: String) async throws -> String {
            let answer = try await EdgeRequest.get(edge, host: host).body
            let replicaId = try #require(answer.split(separator: " ").last.map(String.init), "\(answer)")
            let version = try #require(CgroupVersion.detect())
            // Under this server's folder, `railyard/s<share>`.
            let base = try #require(Cgroup(version: version, name: "railyard").directories.first)
            let parents = ((try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []).filter { $0.hasPrefix("s") }
            let files = parents.flatMap { parent in
                Cgroup(version: version, name: "railyard/\(parent)/\(replicaId)").directories.map { $0.appendingPathComponent(name).path }
            }
            return try #require(files.first { FileManager.default.fileExists(atPath: $0) }, "no \(name) in \(files)")
        }

        /// The number after `key` in a cgroup file of `key value` lines (`pids.events`, `cpu.stat`).
        static func counter(_ key: String, in file: String) -> Int? {
            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").lazy.compactMap { line -> Int? in
                let parts = line.split(separator: " ")
                return parts.count == 2 && parts[0] == key ? Int(parts[1]) : nil
            }.first
        }

        /// The JSON report `/report/NAME` returns once the background job is done (waits up to `timeout`).
        static func report(_ name: String, host: String, edge: String, timeout: Duration = .seconds(45)) async throws -> [String: Any] {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                let response = try await EdgeRequest.get(edge, host: host, path: "/report/\(name)")
                if response.status == 200, let object = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any] {
                    return object
                }
                try await Task.sleep(for: .milliseconds(500))
            }
            throw ServerProcess.StartFailure(description: "no \(name) report within \(timeout)")
        }

        @Test("a snooping app reads nothing of the database, the secret key, its neighbour or the operator's home, and is not root", .enabled(if: sandboxUsable))
        func snooping() async throws {
            // The data dir outside /tmp: every sandbox gets its own /tmp, which would hide it anyway.
            try await ServerProcess.withServer(dataParent: "/var/tmp") { root, server, edge in
                let data = server.dataDirectory
                let marker = UUID().uuidString.lowercased()
                let homeSecret = "home-secret-\(marker)"
                let homeFile = NSHomeDirectory() + "/railyard-hostile-test-\(marker)"
                try homeSecret.write(toFile: homeFile, atomically: true, encoding: .utf8)
                defer { try? FileManager.default.removeItem(atPath: homeFile) }
                let neighbourSecret = "neighbour-secret-\(marker)"
                let database = data + "/railyard.db"
                let keyFile = data + "/secret.key"
                var neighbourApp = ""

                let tenants = try await Self.deploy(root, server, neighbourFiles: ["secret.txt": neighbourSecret]) {
                    let released = try SecretScan.filesContaining(neighbourSecret, under: data + "/artifacts")
                    try #require(released.count == 1, "the neighbour's release holds its secret once: \(released)")
                    neighbourApp = (released[0] as NSString).deletingLastPathComponent
                    let targets: [String: [String]] = [
                        "read": [database, database + "-wal", keyFile, released[0], homeFile],
                        "list": ["/", data, data + "/artifacts", neighbourApp, NSHomeDirectory()],
                    ]
                    let json = String(decoding: try JSONSerialization.data(withJSONObject: targets), as: UTF8.self)
                    return Self.hostileApp.merging(["targets.json": json]) { $1 }
                }
                let key = try String(contentsOfFile: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                try #require(FileManager.default.fileExists(atPath: database))

                let snooped = try await EdgeRequest.get(edge, host: tenants.hostileHost, path: "/snoop")
                try #require(snooped.status == 200, "\(snooped)")
                for secret in [key, neighbourSecret, homeSecret, "SQLite format 3"] {
                    #expect(!snooped.body.contains(secret), "the app got hold of \(secret.prefix(20))…: \(snooped.body)")
                }
                let report = try #require(try JSONSerialization.jsonObject(with: Data(snooped.body.utf8)) as? [String: Any])
                for id in ["uid", "euid", "gid"] {
                    let value = try #require(report[id] as? Int, "\(id) in \(report)")
                    #expect(value != 0, "the app runs with \(id) 0")
                }
                let reads = try #require(report["reads"] as? [String: [String: String]])
                for (path, outcome) in reads {
                    #expect(outcome["read"] == nil, "the app read \(path)")
                }
                let lists = try #require(report["lists"] as? [String: [String: Any]])
                let entries = { (path: String) in lists[path]?["entries"] as? [String] ?? [] }
                #expect(entries(data).allSatisfy { !["railyard.db", "secret.key", "logs", "sources", "builds"].contains($0) }, "\(entries(data))")
                let neighbourDeployment = ((neighbourApp as NSString).deletingLastPathComponent as NSString).lastPathComponent
                #expect(!entries(data + "/artifacts").contains(neighbourDeployment), "\(entries(data + "/artifacts"))")
                #expect(entries(neighbourApp).isEmpty, "\(entries(neighbourApp))")
                #expect(!entries(NSHomeDirectory()).contains((homeFile as NSString).lastPathComponent), "\(entries(NSHomeDirectory()))")
                #expect(!entries("/").isEmpty, "the app sees a root: \(lists)")

                let calm = try await EdgeRequest.get(edge, host: tenants.neighbourHost)
                #expect(calm.status == 200 && calm.body.hasPrefix("calm "), "\(calm)")
            }
        }

        @Test("a fork bomb is held to its 512 pids while the neighbour, the API and the host keep working", .enabled(if: LimitsTests.cgroupsUsable))
        func forkBomb() async throws {
            try await ServerProcess.withServer { root, server, edge in
                let tenants = try await Self.deploy(root, server) { Self.hostileApp }
                let pidsCurrent = try await Self.cgroupFile("pids.current", host: tenants.hostileHost, edge: edge)
                let pidsEvents = try await Self.cgroupFile("pids.events", host: tenants.hostileHost, edge: edge)
                let clock = ContinuousClock()
                let started = clock.now
                #expect(try await EdgeRequest.get(edge, host: tenants.hostileHost, path: "/bomb").body == "started")
                var current = 0
                while clock.now - started < .seconds(8) {
                    current = Int((try? String(contentsOfFile: pidsCurrent, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
                    if current >= 500 { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(current >= 500, "the bomb fills its pids: \(current)")

                var slowest = Duration.zero
                for _ in 0..<5 {
                    let (calm, took) = try await Self.timedGet(edge, host: tenants.neighbourHost)
                    #expect(calm.status == 200 && calm.body.hasPrefix("calm "), "\(calm)")
                    #expect(took < .seconds(2), "the neighbour took \(took) during the bomb")
                    slowest = max(slowest, took)
                }
                let status = try await tenants.cli.run(["status"], timeout: .seconds(10))
                #expect(status.status == 0, "the API answers during the bomb: \(status)")
                let probe = Process()
                probe.executableURL = URL(fileURLWithPath: "/bin/true")
                try probe.run()
                probe.waitUntilExit()
                #expect(probe.terminationStatus == 0, "the host can still fork")
                #expect(clock.now - started < .seconds(12), "all of that happened while the bomb ran")

                let bomb = try await Self.report("bomb", host: tenants.hostileHost, edge: edge)
                let refusedByCgroup = Self.counter("max", in: pidsEvents) ?? 0
                #expect(refusedByCgroup > 0, "the cgroup refused forks: \(refusedByCgroup)")
                let forked = bomb["forked"] as? Int ?? 0
                let refused = bomb["refused"] as? Int ?? 0
                #expect(refused > 0 && forked < 512, "held to 512 pids: \(bomb)")
                print("hostile fork bomb: \(forked) forks succeeded, \(refused) refused by the app's count, \(refusedByCgroup) by pids.events, \(current) pids when first looked at; the neighbour's slowest answer \(slowest)")
                #expect(try await EdgeRequest.get(edge, host: tenants.hostileHost).body.hasPrefix("hostile "), "the bomber itself recovers")
                var logs = ""
                for _ in 0..<30 {
                    logs = try await tenants.cli.run(["logs"]).stdout
                    if logs.contains("hit its limit of 512 processes") { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(logs.contains("hit its limit of 512 processes"), "the limit hit is in the service's logs: \(logs.suffix(500))")
                let events = try await tenants.cli.run(["logs", "--build"]).stdout
                #expect(events.contains("hit its limit of 512 processes"), "and in the deployment's events: \(events.suffix(500))")
            }
        }

        @Test("a CPU spinner is throttled to half a CPU and its neighbour's latency stays bounded", .enabled(if: LimitsTests.cgroupsUsable))
        func cpuSpinner() async throws {
            try await ServerProcess.withServer { root, server, edge in
                let tenants = try await Self.deploy(root, server, neighbourFiles: ["main.py": Self.busyNeighbour]) { Self.hostileApp }
                let cpuStat = try await Self.cgroupFile("cpu.stat", host: tenants.hostileHost, edge: edge)
                let latencies = { () async throws -> [Duration] in
                    var measured: [Duration] = []
                    for _ in 0..<20 {
                        let (calm, took) = try await Self.timedGet(edge, host: tenants.neighbourHost)
                        #expect(calm.status == 200 && calm.body.hasPrefix("calm "), "\(calm)")
                        measured.append(took)
                        try await Task.sleep(for: .milliseconds(200))
                    }
                    return measured.sorted()
                }
                let before = try await latencies()
                #expect(try await EdgeRequest.get(edge, host: tenants.hostileHost, path: "/spin").body == "started")
                try await Task.sleep(for: .seconds(1))
                let during = try await latencies()
                let throttled = Self.counter("nr_throttled", in: cpuStat) ?? 0
                #expect(throttled > 0, "the spinner's cgroup was throttled: \(throttled)")

                let (medianBefore, p90During) = (before[10], during[18])
                #expect(p90During < .milliseconds(250), "the neighbour's p90 while spinning: \(p90During)")
                #expect(p90During < medianBefore * 10 + .milliseconds(50), "p90 \(p90During) against a median of \(medianBefore) before")

                let spin = try await Self.report("spin", host: tenants.hostileHost, edge: edge)
                let (cpu, wall) = (spin["cpu"] as? Double ?? 0, spin["wall"] as? Double ?? 1)
                #expect(cpu / wall < 0.6, "four spinners got \(cpu) s of CPU in \(wall) s, more than half a CPU")
                print("hostile spinner: neighbour median/p90 before \(before[10])/\(before[18]), during \(during[10])/\(during[18]); spinners \(cpu) s CPU in \(wall) s; nr_throttled \(throttled)")
            }
        }
    }
}
