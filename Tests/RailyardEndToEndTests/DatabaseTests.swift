import Foundation
import RailyardBuild
import RailyardClient
import RailyardCore
import Testing

extension EndToEndTests {
    /// Issue 9's databases: `railyard add --database` runs the host's real PostgreSQL, Redis and
    /// MariaDB as services of their own, on volumes, with Railway's variables; an app reaches them by
    /// reference over the private network, and the data survives redeploys and a server restart.
    @Suite("End to end: database services")
    struct DatabaseTests {
        /// Real database servers, as their own users, on private networks: root with networks on.
        static var usable: Bool { NetworkSeparationTests.usable }

        static func installed(_ engine: DatabaseEngine) -> Bool { (try? DatabasePrograms.find(engine)) != nil }

        /// A Flask app keeping notes in PostgreSQL (`/pg`) and Redis (`/redis`): POST adds `?body=`,
        /// GET lists them sorted.
        static let app = """
            import os
            import psycopg2, redis
            from flask import Flask, request
            app = Flask(__name__)

            def pg():
                connection = psycopg2.connect(os.environ["DATABASE_URL"])
                connection.autocommit = True
                cursor = connection.cursor()
                cursor.execute("CREATE TABLE IF NOT EXISTS notes (body TEXT)")
                return connection, cursor

            @app.route("/pg", methods=["GET", "POST"])
            def notes_pg():
                connection, cursor = pg()
                try:
                    if request.method == "POST":
                        cursor.execute("INSERT INTO notes VALUES (%s)", (request.args["body"],))
                        return "added"
                    cursor.execute("SELECT body FROM notes ORDER BY body")
                    return ",".join(row[0] for row in cursor.fetchall())
                finally:
                    connection.close()

            @app.route("/redis", methods=["GET", "POST"])
            def notes_redis():
                client = redis.from_url(os.environ["REDIS_URL"])
                if request.method == "POST":
                    client.sadd("notes", request.args["body"])
                    return "added"
                return ",".join(sorted(member.decode() for member in client.smembers("notes")))

            if __name__ == "__main__":
                app.run(host="0.0.0.0", port=int(os.environ["PORT"]), threaded=True)
            """

        @Test(
            "a Flask app keeps rows in Postgres and Redis through ${{…}} references; they survive redeploys of all three and a server restart",
            .enabled(if: usable && installed(.postgres) && installed(.redis))
        )
        func flaskWithPostgresAndRedis() async throws {
            let root = try TemporaryDirectory()
            defer { root.remove() }
            defer { ChildProcess.killMatching(root.path) }
            let first = try await ServerProcess.start(dataDirectory: root.path + "/data", logDirectory: root.path)
            defer { first.killNow() }
            let web = try DeployPathTests.app(root, "web", ["requirements.txt": "flask\npsycopg2-binary\nredis\n", "app.py": Self.app])
            let cli = try CLIRunner(root: root, workingDirectory: web)
            #expect(try await cli.run(["signup", "--server", first.baseURL, "--email", "db@example.com", "--password", "correct-horse-9"]).status == 0)
            #expect(try await cli.run(["init", "--name", "shop"]).status == 0)

            let postgres = try await cli.run(["add", "--database", "postgres"], timeout: .seconds(120))
            try #require(postgres.status == 0, "\(postgres)\n\(first.logs())")
            #expect(postgres.stdout.contains("DATABASE_URL") && postgres.stdout.contains("PGPASSWORD") && postgres.stdout.contains("postgres is running"), "\(postgres)")
            let redis = try await cli.run(["add", "-d", "redis"], timeout: .seconds(120))
            try #require(redis.status == 0, "\(redis)\n\(first.logs())")

            // Generated credentials, sealed like any variable; the URL is built by reference.
            let variables = try await cli.run(["variables", "--service", "postgres", "--reveal", "--json"])
            let password = try #require(Self.value(of: "PGPASSWORD", in: variables.stdout))
            #expect(password.count == 32 && password.allSatisfy { $0.isLetter || $0.isNumber }, "\(variables)")
            #expect(Self.value(of: "DATABASE_URL", in: variables.stdout) == "postgresql://${{PGUSER}}:${{PGPASSWORD}}@${{RAILYARD_PRIVATE_DOMAIN}}:${{PGPORT}}/${{PGDATABASE}}")

            #expect(try await cli.run(["service", "new", "web"]).status == 0)
            #expect(try await cli.run([
                "variables", "--set", "DATABASE_URL=${{postgres.DATABASE_URL}}", "--set", "REDIS_URL=${{Redis.REDIS_URL}}",
            ]).status == 0)
            let up = try await cli.run(["up"], timeout: .seconds(300))
            try #require(up.status == 0, "\(up)\n\(first.logs())")
            let host = try #require(DeployPathTests.url(in: up.stdout).flatMap(EdgeRequest.host(of:)))
            var edge = try await first.edgeURL()
            for body in ["apple", "banana"] {
                #expect(try await EdgeRequest.send(edge, host: host, method: "POST", path: "/pg?body=\(body)").body == "added")
                #expect(try await EdgeRequest.send(edge, host: host, method: "POST", path: "/redis?body=\(body)").body == "added")
            }
            #expect(try await EdgeRequest.get(edge, host: host, path: "/pg").body == "apple,banana")
            #expect(try await EdgeRequest.get(edge, host: host, path: "/redis").body == "apple,banana")

            // Redeploys: each database stops before its replacement starts on the same volume.
            for service in ["postgres", "redis", "web"] {
                let redeploy = try await cli.run(["redeploy", "--service", service], timeout: .seconds(300))
                try #require(redeploy.status == 0, "\(redeploy)\n\(first.logs())")
            }
            let buildLog = try await cli.run(["logs", "--service", "postgres", "--build"]).stdout
            #expect(buildLog.contains("Stopping the running PostgreSQL server first"), "\(buildLog)")
            #expect(try await EdgeRequest.get(edge, host: host, path: "/pg").body == "apple,banana")
            #expect(try await EdgeRequest.get(edge, host: host, path: "/redis").body == "apple,banana")
            // The old server shut down cleanly (fast shutdown), not killed mid-write.
            let runtime = try await cli.run(["logs", "--service", "postgres"]).stdout
            #expect(runtime.contains("database system was shut down"), "\(runtime)")

            _ = await first.stop()
            let second = try await ServerProcess.start(dataDirectory: root.path + "/data", logDirectory: root.path)
            defer { second.killNow() }
            #expect(try await cli.run(["login", "--server", second.baseURL, "--email", "db@example.com", "--password", "correct-horse-9"]).status == 0)
            edge = try await second.edgeURL()
            // A restart of each database's replica, then the rows are still there.
            for service in ["postgres", "redis"] {
                let restart = try await cli.run(["restart", "--service", service], timeout: .seconds(120))
                #expect(restart.status == 0, "\(restart)")
            }
            var pg = "", kv = ""
            for _ in 0..<100 {
                pg = try await EdgeRequest.get(edge, host: host, path: "/pg").body
                kv = try await EdgeRequest.get(edge, host: host, path: "/redis").body
                if pg == "apple,banana" && kv == "apple,banana" { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(pg == "apple,banana" && kv == "apple,banana", "\(second.logs())")
            _ = await second.stop()
        }

        @Test(
            "MySQL through `railyard connect`; what a database cannot do is refused; MongoDB without mongod is a clear error that leaves nothing behind",
            .enabled(if: usable && installed(.mysql))
        )
        func mysqlConnectAndRefusals() async throws {
            try await ServerProcess.withServer { root, server, _ in
                let folder = try root.subdirectory("here")
                let cli = try CLIRunner(root: root, workingDirectory: folder)
                #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "my@example.com", "--password", "correct-horse-9"]).status == 0)
                #expect(try await cli.run(["init", "--name", "ledger"]).status == 0)
                let noProxy = try await cli.run(["connect"])
                #expect(noProxy.status != 0 && noProxy.stderr.contains("has no database; add one with `railyard add --database"), "\(noProxy)")

                let added = try await cli.run(["add", "--database", "mariadb", "--tcp-proxy"], timeout: .seconds(180))
                try #require(added.status == 0, "\(added)\n\(server.logs())")
                #expect(added.stdout.contains("MYSQL_URL") && added.stdout.contains("railyard connect mysql"), "\(added)")
                let create = try await cli.run(
                    ["connect", "mysql"], input: "CREATE TABLE entries (amount INT); INSERT INTO entries VALUES (7), (35);\n"
                )
                #expect(create.status == 0, "\(create)")
                let redeploy = try await cli.run(["redeploy", "--service", "mysql"], timeout: .seconds(180))
                try #require(redeploy.status == 0, "\(redeploy)\n\(server.logs())")
                var sum = CLIRunner.Result(status: 1, stdout: "", stderr: "")
                for _ in 0..<50 {
                    sum = try await cli.run(["connect"], input: "SELECT SUM(amount) AS total, CURRENT_USER() FROM entries;\n")
                    if sum.status == 0 { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(sum.stdout.contains("42\troot@%"), "\(sum)")

                let scale = try await cli.run(["scale", "3", "--service", "mysql"])
                #expect(scale.status != 0 && scale.stderr.contains("is a MySQL (MariaDB) database: it runs one replica"), "\(scale)")
                let up = try await cli.run(["up", "--service", "mysql"])
                #expect(up.status != 0 && up.stderr.contains("runs the host's server program, not uploaded code"), "\(up)")
                let unknown = try await cli.run(["add", "--database", "oracle"])
                #expect(unknown.status != 0 && unknown.stderr.contains("choose postgres, redis, mysql or mongo"), "\(unknown)")
                let taken = try await cli.run(["add", "--database", "postgres", "--name", "mysql"])
                #expect(taken.status != 0 && taken.stderr.contains("already exists"), "\(taken)")

                if !Self.installed(.mongo) {
                    let mongo = try await cli.run(["add", "--database", "mongo"])
                    #expect(mongo.status != 0 && mongo.stderr.contains("MongoDB is not installed on this Railyard server: install mongod"), "\(mongo)")
                }
                let status = try await cli.run(["service", "show", "--json"])
                #expect(!status.stdout.contains("\"mongo\""), "a failed add leaves no service: \(status)")
            }
        }

        @Test(
            "backups: a Postgres backup brings deleted rows back, into the same or a new service; Redis's RDB too; retention and schedules hold",
            .enabled(if: usable && installed(.postgres) && installed(.redis))
        )
        func backups() async throws {
            try await ServerProcess.withServer { root, server, _ in
                let folder = try root.subdirectory("here")
                let cli = try CLIRunner(root: root, workingDirectory: folder)
                #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "bk@example.com", "--password", "correct-horse-9"]).status == 0)
                #expect(try await cli.run(["init", "--name", "vault"]).status == 0)
                for arguments in [["--database", "postgres", "--tcp-proxy"], ["--database", "postgres", "--name", "copy", "--tcp-proxy"],
                    ["--database", "redis", "--tcp-proxy"]] {
                    let added = try await cli.run(["add"] + arguments, timeout: .seconds(120))
                    try #require(added.status == 0, "\(added)\n\(server.logs())")
                }
                func sql(_ text: String, _ service: String = "postgres") async throws -> String {
                    let result = try await cli.run(["connect", service], input: text + "\n")
                    #expect(result.status == 0, "\(result)")
                    return result.stdout
                }
                _ = try await sql("CREATE TABLE accounts (name TEXT); INSERT INTO accounts VALUES ('ada'), ('grace');")
                // Schedules run every minute; checked at the end, once one had time to come.
                let schedule = try await cli.run(["backup", "schedule", "--service", "postgres", "--cron", "* * * * *", "--retain", "2"])
                #expect(schedule.stdout.contains("on schedule * * * * * (UTC); the newest 2 kept"), "\(schedule)")
                let bad = try await cli.run(["backup", "schedule", "--service", "postgres", "--cron", "61 * * * *"])
                #expect(bad.status != 0 && bad.stderr.contains("is not a cron expression"), "\(bad)")

                let made = try await cli.run(["backup", "create", "--service", "postgres", "--json"], timeout: .seconds(120))
                try #require(made.status == 0, "\(made)")
                let backup = try RailyardJSON.decoder().decode(DatabaseBackup.self, from: Data(made.stdout.utf8))
                #expect(backup.status == .success && (backup.sizeBytes ?? 0) > 0 && backup.trigger == .manual)

                _ = try await sql("DELETE FROM accounts WHERE name = 'grace'; INSERT INTO accounts VALUES ('eve');")
                #expect(try await sql("SELECT string_agg(name, ',' ORDER BY name) FROM accounts;").contains("ada,eve"))
                let refused = try await cli.run(["backup", "restore", backup.id, "--service", "postgres"])
                #expect(refused.status != 0, "without --yes and no terminal it asks, and cannot: \(refused)")
                let restore = try await cli.run(["backup", "restore", backup.id, "--service", "postgres", "--yes"], timeout: .seconds(120))
                #expect(restore.status == 0, "\(restore)")
                #expect(try await sql("SELECT string_agg(name, ',' ORDER BY name) FROM accounts;").contains("ada,grace"), "deleted rows are back, later ones gone")

                // Into another service of the same engine.
                let intoCopy = try await cli.run(["backup", "restore", backup.id, "--service", "copy", "--yes"], timeout: .seconds(120))
                #expect(intoCopy.status == 0, "\(intoCopy)")
                #expect(try await sql("SELECT count(*) FROM accounts;", "copy").contains("2"))
                let wrongEngine = try await cli.run(["backup", "restore", backup.id, "--service", "redis", "--yes"])
                #expect(wrongEngine.status != 0 && wrongEngine.stderr.contains("is of PostgreSQL, but redis is Redis"), "\(wrongEngine)")

                // Redis: the RDB replaces the data, and the append-only file is on again afterwards.
                #expect(try await cli.run(["connect", "redis"], input: "SET stage before\n").status == 0)
                let redisBackup = try await cli.run(["backup", "create", "--service", "redis", "--json"], timeout: .seconds(120))
                try #require(redisBackup.status == 0, "\(redisBackup)")
                let rdb = try RailyardJSON.decoder().decode(DatabaseBackup.self, from: Data(redisBackup.stdout.utf8))
                #expect(try await cli.run(["connect", "redis"], input: "SET stage after\nSET extra 1\n").status == 0)
                let redisRestore = try await cli.run(["backup", "restore", rdb.id, "--service", "redis", "--yes"], timeout: .seconds(120))
                #expect(redisRestore.status == 0, "\(redisRestore)")
                var read = ""
                for _ in 0..<50 {
                    read = try await cli.run(["connect", "redis"], input: "GET stage\nEXISTS extra\nCONFIG GET appendonly\n").stdout
                    if read.contains("yes") { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(read == "before\n0\nappendonly\nyes\n", "\(read)")

                // Retention: more manual backups leave the newest two; then a scheduled one comes.
                for _ in 0..<2 { #expect(try await cli.run(["backup", "create", "--service", "postgres"], timeout: .seconds(120)).status == 0) }
                var listed: [DatabaseBackup] = []
                var scheduled = false
                for _ in 0..<100 where !scheduled {
                    listed = try RailyardJSON.decoder().decode([DatabaseBackup].self, from: Data(try await cli.run(["backup", "--service", "postgres", "--json"]).stdout.utf8))
                    scheduled = listed.contains { $0.trigger == .schedule && $0.status == .success }
                    if !scheduled { try await Task.sleep(for: .seconds(1)) }
                }
                #expect(scheduled, "a scheduled backup came within the schedule's minute: \(listed)")
                #expect(listed.filter { $0.status == .success }.count == 2 && !listed.contains { $0.id == backup.id }, "\(listed)")
            }
        }

        /// A variable's value in `railyard variables --json` output.
        static func value(of key: String, in json: String) -> String? {
            struct List: Decodable { var variables: [Variable] }
            guard let list = try? JSONDecoder().decode(List.self, from: Data(json.utf8)) else { return nil }
            return list.variables.first { $0.key == key }?.value
        }
    }
}
