import Foundation
import RailyardClient
import RailyardCore
import Testing

extension EndToEndTests {
    /// Acceptance 4: a real server driven by the real CLI; a variable's value is shown when asked but
    /// never lands in plain text in the data dir (WAL included) or in a `pg_dump`.
    @Suite("End to end: variables are sealed at rest")
    struct SecretsAtRestTests {
        @Test("SQLite: the CLI sets and lists a secret, and no file in the data dir contains it")
        func sqlite() async throws {
            let root = try TemporaryDirectory()
            defer { root.remove() }
            let dataDirectory = root.path + "/data"
            let server = try await ServerProcess.start(dataDirectory: dataDirectory, logDirectory: root.path)
            defer { server.killNow() }

            let (secret, email) = try await Self.setAndListSecret(server: server, root: root)

            let scanned = SecretScan.files(under: dataDirectory)
            #expect(scanned.contains { $0.hasSuffix("/railyard.db") }, "expected the SQLite file among \(scanned)")
            // Positive control: the scan does see stored plain text (the account's email).
            #expect(try !SecretScan.filesContaining(email, under: dataDirectory).isEmpty, "the scan should find the email")
            #expect(try SecretScan.filesContaining(secret, under: dataDirectory) == [], "while running; scanned \(scanned)")
            await server.stop()
            #expect(try SecretScan.filesContaining(secret, under: dataDirectory) == [], "after shutdown")
        }

        @Test(
            "PostgreSQL: the CLI sets and lists a secret, and neither pg_dump nor the data dir contains it",
            PostgresTestDatabase.configured
        )
        func postgres() async throws {
            try await PostgresTestDatabase.withDatabase { database in
                let root = try TemporaryDirectory()
                defer { root.remove() }
                let dataDirectory = root.path + "/data"
                let server = try await ServerProcess.start(
                    dataDirectory: dataDirectory, logDirectory: root.path, extraArguments: ["--database-url", database.url]
                )
                defer { server.killNow() }
                let (secret, _) = try await Self.setAndListSecret(server: server, root: root)
                let dump = try await database.dump()
                #expect(dump.range(of: Data("SECRET_KEY".utf8)) != nil, "the dump should hold the variable's row")
                #expect(dump.range(of: Data(secret.utf8)) == nil, "pg_dump contains the secret in plain text")
                #expect(try SecretScan.filesContaining(secret, under: dataDirectory) == [])
                await server.stop()
            }
        }

        /// Signs up, inits a project, adds a service, sets SECRET_KEY to a random value through the CLI
        /// and checks how it is listed; returns the value and the account's email.
        static func setAndListSecret(
            server: ServerProcess, root: TemporaryDirectory
        ) async throws -> (secret: String, email: String) {
            let project = try root.subdirectory("app")
            let cli = try CLIRunner(root: root, workingDirectory: project)
            let email = "e2e-\(SecretScan.randomValue(length: 8).lowercased())@example.com"
            let secret = SecretScan.randomValue()

            let signup = try await cli.run(["signup", "--server", server.baseURL, "--email", email, "--password", "correct-horse-9"])
            try #require(signup.status == 0, "\(signup)\nserver: \(server.logs())")
            let whoami = try await cli.run(["whoami"])
            #expect(whoami.status == 0 && whoami.stdout.contains(email), "\(whoami)")

            let created = try await cli.run(["init", "--name", "shop", "--description", "end-to-end"])
            try #require(created.status == 0, "\(created)")
            let service = try await cli.run(["service", "new", "web"])
            try #require(service.status == 0, "\(service)")

            let set = try await cli.run(["variables", "--set", "SECRET_KEY=\(secret)"])
            try #require(set.status == 0, "\(set)")
            #expect(!set.stdout.contains(secret))

            let masked = try await cli.run(["variables"])
            #expect(masked.status == 0 && masked.stdout.contains("SECRET_KEY"), "\(masked)")
            #expect(!masked.stdout.contains(secret), "listing without --reveal shows the value")

            let revealed = try await cli.run(["variables", "--reveal"])
            #expect(revealed.status == 0 && revealed.stdout.contains(secret), "\(revealed)")

            let json = try await cli.run(["variables", "--json"])
            try #require(json.status == 0, "\(json)")
            let list = try RailyardJSON.decoder().decode(VariableList.self, from: Data(json.stdout.utf8))
            let variable = try #require(list.variables.first { $0.key == "SECRET_KEY" })
            #expect(variable.masked && variable.value != secret)

            let revealedJSON = try await cli.run(["variables", "--json", "--reveal"])
            let revealedList = try RailyardJSON.decoder().decode(VariableList.self, from: Data(revealedJSON.stdout.utf8))
            #expect(revealedList.variables.first { $0.key == "SECRET_KEY" }?.value == secret)

            // The link is found from a sub-folder too, and status/list speak JSON.
            let nested = try root.subdirectory("app/src/deep")
            let status = try await cli.run(["status", "--json"], in: nested)
            try #require(status.status == 0, "\(status)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
            #expect((report["project"] as? [String: Any])?["name"] as? String == "shop")
            #expect((report["service"] as? [String: Any])?["name"] as? String == "web")
            let projects = try await cli.run(["list", "--json"])
            let listed = try RailyardJSON.decoder().decode([Project].self, from: Data(projects.stdout.utf8))
            #expect(listed.map(\.name) == ["shop"])

            let attributes = try FileManager.default.attributesOfItem(atPath: cli.configPath)
            #expect(attributes[.posixPermissions] as? Int == 0o600)
            return (secret, email)
        }
    }
}
