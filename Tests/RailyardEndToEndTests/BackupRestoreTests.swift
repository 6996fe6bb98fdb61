import Foundation
import RailyardClient
import RailyardCore
import Testing

extension EndToEndTests {
    /// The backup issue's acceptance: a server backed up while it runs, wiped and restored from the
    /// file lists the same projects and deploys with the same (sealed) variables.
    @Suite("End to end: server backup and restore")
    struct BackupRestoreTests {
        static let app = """
            import http.server, os
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    body = "|".join(os.environ.get(k, "-") for k in ("SECRET_TOKEN", "SHARED_NOTE", "RAILYARD_DEPLOYMENT_ID")).encode()
                    self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args): pass
            http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
            """
        static let domain = "vault.example.com"

        @Test("backup while running, wipe, restore: same projects, same sealed variables in a new deployment, the domain answers")
        func backupWipeRestore() async throws {
            let root = try TemporaryDirectory()
            defer { root.remove() }
            defer { ChildProcess.killMatching(root.path) }
            let data = root.path + "/data"
            let backup = root.path + "/railyard-backup.jsonl"
            let token = SecretScan.randomValue()
            let first = try await ServerProcess.start(dataDirectory: data, logDirectory: root.path)
            defer { first.killNow() }

            let dir = try DeployPathTests.app(root, "web", ["main.py": Self.app])
            let cli = try CLIRunner(root: root, workingDirectory: dir)
            #expect(try await cli.run(["signup", "--server", first.baseURL, "--email", "vault@example.com", "--password", "correct-horse-9"]).status == 0)
            #expect(try await cli.run(["init", "--name", "vault"]).status == 0)
            #expect(try await cli.run(["service", "new", "web"]).status == 0)
            #expect(try await cli.run(["variables", "--set", "SECRET_TOKEN=\(token)"]).status == 0)
            #expect(try await cli.run(["variables", "--shared", "--set", "SHARED_NOTE=kept"]).status == 0)
            #expect(try await cli.run(["domain", "add", Self.domain]).status == 0)
            let up = try await cli.run(["up"], timeout: .seconds(120))
            try #require(up.status == 0, "\(up)\n\(first.logs())")
            let before = try await DomainTests.answer(try await first.edgeURL(), Self.domain, prefix: "\(token)|kept|")
            #expect(before.status == 200, "\(before)")
            let oldDeployment = String(before.body.split(separator: "|").last ?? "")

            // Backed up while the server runs (and takes writes on another project meanwhile).
            let other = try root.subdirectory("other")
            let writes = Task { try await cli.run(["init", "--name", "during-backup"], in: other) }
            let backedUp = try await cli.run(["server", "backup", "--data", data, "--to", backup])
            try #require(backedUp.status == 0, "\(backedUp)")
            #expect(backedUp.stdout.contains("service(s)") && backedUp.stdout.contains("as private as the secret key"), "\(backedUp)")
            #expect(try FileManager.default.attributesOfItem(atPath: backup)[.posixPermissions] as? Int == 0o600)
            let text = try String(contentsOfFile: backup, encoding: .utf8)
            #expect(text.contains("SECRET_TOKEN") && !text.contains(token), "variables stay sealed in the file")
            _ = try await writes.value
            let live = try await cli.run(["server", "restore", backup, "--data", data, "--force"])
            #expect(live.status == 1 && live.stderr.contains("stop it before restoring"), "a running server's database is never replaced: \(live)")

            await first.stop()
            #expect(!ProcessScan.pythonPids(withEnvironment: "RAILYARD_DEPLOYMENT_ID=\(oldDeployment)").isEmpty, "replicas outlive a stopped server")
            try FileManager.default.removeItem(atPath: data)

            // A backup needs the data dir to exist and never makes one.
            let noData = try await cli.run(["server", "backup", "--data", data, "--to", root.path + "/again.jsonl"])
            #expect(noData.status == 1 && noData.stderr.contains("the data dir \(data) does not exist"), "\(noData)")
            #expect(!FileManager.default.fileExists(atPath: data))

            let restored = try await cli.run(["server", "restore", backup, "--data", data])
            try #require(restored.status == 0, "\(restored)")
            #expect(restored.stdout.contains("Restored") && restored.stdout.contains("deploy each service again"), "\(restored)")
            let twice = try await cli.run(["server", "restore", backup, "--data", data])
            #expect(twice.status == 1 && twice.stderr.contains("already has state") && twice.stderr.split(separator: "\n").count == 1, "\(twice)")

            let second = try await ServerProcess.start(dataDirectory: data, logDirectory: root.path)
            defer { second.killNow() }
            #expect(try await cli.run(["login", "--server", second.baseURL, "--email", "vault@example.com", "--password", "correct-horse-9"]).status == 0)
            let listed = try await cli.run(["list", "--json"])
            let projects = try RailyardJSON.decoder().decode([Project].self, from: Data(listed.stdout.utf8))
            #expect(Set(projects.map(\.name)).isSuperset(of: ["vault"]), "\(listed)")
            let revealed = try await cli.run(["variables", "--reveal"])
            #expect(revealed.stdout.contains(token), "the restored key opens the sealed variable: \(revealed)")

            // The restored deployment's build is not in the backup: it is CRASHED with the reason, its
            // leftover replica was stopped, and the domain says how to bring it back.
            // Recovery runs once the server listens, so it is waited for.
            var status = try await cli.run(["status"])
            for _ in 0..<150 where !status.stdout.contains("CRASHED") {
                try await Task.sleep(for: .milliseconds(200))
                status = try await cli.run(["status"])
            }
            #expect(status.stdout.contains("CRASHED"), "\(status)\n\(second.logs())")
            var leftovers = ProcessScan.pythonPids(withEnvironment: "RAILYARD_DEPLOYMENT_ID=\(oldDeployment)")
            for _ in 0..<100 where !leftovers.isEmpty {
                try await Task.sleep(for: .milliseconds(200))
                leftovers = ProcessScan.pythonPids(withEnvironment: "RAILYARD_DEPLOYMENT_ID=\(oldDeployment)")
            }
            #expect(leftovers.isEmpty, "the old replica was stopped\n\(second.logs())")
            let edge = try await second.edgeURL()
            var waiting = try await EdgeRequest.get(edge, host: Self.domain)
            for _ in 0..<100 where waiting.status == 404 {  // custom domains are aliased last in recovery
                try await Task.sleep(for: .milliseconds(100))
                waiting = try await EdgeRequest.get(edge, host: Self.domain)
            }
            #expect(waiting.status == 503 && waiting.body.contains("deploy it again"), "\(waiting)")

            let again = try await cli.run(["up"], timeout: .seconds(120))
            try #require(again.status == 0, "\(again)\n\(second.logs())")
            let after = try await DomainTests.answer(edge, Self.domain, prefix: "\(token)|kept|")
            #expect(after.status == 200 && after.body.hasPrefix("\(token)|kept|"), "\(after)")
            #expect(!after.body.hasSuffix(oldDeployment), "a new deployment answers: \(after)")
            await second.stop()
        }

        @Test(
            "a SQLite server's backup restores into PostgreSQL, and the server started on it has the same projects and variables",
            PostgresTestDatabase.configured
        )
        func sqliteToPostgres() async throws {
            try await PostgresTestDatabase.withDatabase { database in
                let root = try TemporaryDirectory()
                defer { root.remove() }
                let token = SecretScan.randomValue()
                let sqlite = try await ServerProcess.start(dataDirectory: root.path + "/sqlite", logDirectory: root.path)
                defer { sqlite.killNow() }
                let cli = try CLIRunner(root: root, workingDirectory: try root.subdirectory("app"))
                #expect(try await cli.run(["signup", "--server", sqlite.baseURL, "--email", "move@example.com", "--password", "correct-horse-9"]).status == 0)
                #expect(try await cli.run(["init", "--name", "moving"]).status == 0)
                #expect(try await cli.run(["service", "new", "web"]).status == 0)
                #expect(try await cli.run(["variables", "--set", "SECRET_TOKEN=\(token)"]).status == 0)
                let backup = root.path + "/move.jsonl"
                let backedUp = try await cli.run(["server", "backup", "--data", root.path + "/sqlite", "--to", backup])
                try #require(backedUp.status == 0, "\(backedUp)")
                await sqlite.stop()

                let restored = try await cli.run(["server", "restore", backup, "--data", root.path + "/pg", "--database-url", database.url])
                try #require(restored.status == 0, "\(restored)")
                #expect(restored.stdout.contains("from sqlite") && restored.stdout.contains("postgres://"), "\(restored)")
                #expect(!FileManager.default.fileExists(atPath: root.path + "/pg/railyard.db"), "the state went to PostgreSQL")

                let postgres = try await ServerProcess.start(
                    dataDirectory: root.path + "/pg", logDirectory: root.path, extraArguments: ["--database-url", database.url]
                )
                defer { postgres.killNow() }
                #expect(try await cli.run(["login", "--server", postgres.baseURL, "--email", "move@example.com", "--password", "correct-horse-9"]).status == 0)
                let listed = try await cli.run(["list", "--json"])
                #expect(try RailyardJSON.decoder().decode([Project].self, from: Data(listed.stdout.utf8)).map(\.name) == ["moving"], "\(listed)")
                let revealed = try await cli.run(["variables", "--reveal"])
                #expect(revealed.stdout.contains(token), "\(revealed)\n\(postgres.logs())")
                await postgres.stop()
            }
        }
    }
}
