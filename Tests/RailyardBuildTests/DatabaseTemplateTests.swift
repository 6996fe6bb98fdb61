import Foundation
import RailyardCore
import Testing

@testable import RailyardBuild

@Suite("Database services: programs, template, variables")
struct DatabaseTemplateTests {
    static let programs = DatabasePrograms(paths: [
        "server": "/usr/lib/postgresql/15/bin/postgres", "init": "/usr/lib/postgresql/15/bin/initdb", "admin": "/usr/bin/mariadb-admin",
        "client": "/usr/bin/psql",
    ])

    /// The variables as a service of `name` sees them once resolved, and as `web` sees
    /// `${{NAME.URL}}`, with `injected` its private domain and TCP proxy.
    static func resolved(_ engine: DatabaseEngine, name: String, extra: [String: String] = [:]) throws -> (own: [String: String], web: String) {
        let template = DatabaseTemplate(engine: engine, programs: programs)
        let own = template.variables(password: "s3cret").merging(extra) { $1 }
        let injected = [
            "RAILYARD_PRIVATE_DOMAIN": "\(name).railyard.internal", "RAILYARD_VOLUME_MOUNT_PATH": "/data",
            "RAILYARD_TCP_PROXY_DOMAIN": "db.example.com", "RAILYARD_TCP_PROXY_PORT": "20001",
        ]
        let services: [String: VariableReferences.Scope] = [
            name: .init(own: own, injected: injected),
            "web": .init(own: ["URL": "${{\(name).\(engine.urlVariable)}}"]),
        ]
        let resolved = try VariableReferences.resolve(service: name, services: services, shared: [:])
        let web = try VariableReferences.resolve(service: "web", services: services, shared: [:])
        return (resolved, web["URL"] ?? "")
    }

    @Test("Railway's names resolve to URLs on the private domain and the engine's port; another service gets the same by reference")
    func variables() throws {
        let postgres = try Self.resolved(.postgres, name: "postgres")
        #expect(postgres.own["DATABASE_URL"] == "postgresql://postgres:s3cret@postgres.railyard.internal:5432/railway")
        #expect(postgres.web == postgres.own["DATABASE_URL"])
        #expect(postgres.own["PGHOST"] == "postgres.railyard.internal" && postgres.own["PGPORT"] == "5432")
        #expect(postgres.own["PGDATA"] == "/data/pgdata" && postgres.own["POSTGRES_PASSWORD"] == "s3cret")

        let redis = try Self.resolved(.redis, name: "cache")
        #expect(redis.own["REDIS_URL"] == "redis://default:s3cret@cache.railyard.internal:6379")
        #expect(redis.own["REDISHOST"] == "cache.railyard.internal" && redis.own["REDISPASSWORD"] == "s3cret")

        let mysql = try Self.resolved(.mysql, name: "mysql")
        #expect(mysql.own["MYSQL_URL"] == "mysql://root:s3cret@mysql.railyard.internal:3306/railway")
        #expect(mysql.own["MYSQLUSER"] == "root" && mysql.own["MYSQLPASSWORD"] == "s3cret" && mysql.own["MYSQLDATABASE"] == "railway")

        let mongo = try Self.resolved(.mongo, name: "mongo")
        #expect(mongo.own["MONGO_URL"] == "mongodb://mongo:s3cret@mongo.railyard.internal:27017")

        // A changed password flows into the URL: the URL is made of references.
        let changed = try Self.resolved(.postgres, name: "postgres", extra: ["PGPASSWORD": "other"])
        #expect(changed.own["DATABASE_URL"] == "postgresql://postgres:other@postgres.railyard.internal:5432/railway")
    }

    @Test("with a TCP proxy, the public URL names its domain and port")
    func publicURL() throws {
        let template = DatabaseTemplate(engine: .postgres, programs: Self.programs)
        let url = template.publicURL
        #expect(url.name == "DATABASE_PUBLIC_URL")
        let resolved = try Self.resolved(.postgres, name: "postgres", extra: [url.name: url.value])
        #expect(resolved.own["DATABASE_PUBLIC_URL"] == "postgresql://postgres:s3cret@db.example.com:20001/railway")
    }

    @Test("the plan runs the script as one replica and ignores, with a warning each, keys that would break a database")
    func plan() {
        var settings = ServiceConfig()
        settings.deploy.numReplicas = 3
        settings.deploy.healthcheckPath = "/health"
        settings.deploy.memoryLimit = "1Gi"
        settings.deploy.drainingSeconds = 20
        let plan = DatabaseTemplate(engine: .redis, programs: Self.programs).plan(settings: settings)
        #expect(plan.provider == "redis" && plan.start == "exec /bin/sh ./start.sh" && plan.install.isEmpty && plan.build.isEmpty)
        #expect(plan.config.deploy.numReplicas == 1 && plan.config.deploy.healthcheckPath == nil)
        #expect(plan.config.deploy.memoryLimit == "1Gi" && plan.config.deploy.drainingSeconds == 20, "limits and draining are the user's")
        #expect(plan.warnings.count == 2)
        #expect(plan.warnings.contains { $0.hasPrefix("deploy.numReplicas is ignored for a Redis service: its data lives on one volume") && $0.hasSuffix("(it was set to 3)") })
        #expect(DatabaseTemplate(engine: .redis, programs: Self.programs).plan(settings: ServiceConfig()).warnings.isEmpty)
    }

    @Test("start scripts lock the volume, keep passwords off command lines and use the programs found")
    func scripts() {
        for engine in DatabaseEngine.allCases {
            let script = DatabaseTemplate(engine: engine, programs: Self.programs).files["start.sh"] ?? ""
            #expect(script.contains("flock -w 120 9"), "\(engine)")
            #expect(!script.contains("requirepass $") && !script.contains("--password"), "\(engine)")
        }
        let postgres = DatabaseTemplate(engine: .postgres, programs: Self.programs).files["start.sh"] ?? ""
        #expect(postgres.contains("/usr/lib/postgresql/15/bin/initdb -D \"$data.init\"") && postgres.contains("mv \"$data.init\" \"$data\""))
        #expect(postgres.contains("kill -INT"), "SIGTERM becomes a fast shutdown")
    }

    @Test("generated passwords are 32 letters and digits, and differ")
    func passwords() {
        let first = DatabaseTemplate.generatePassword()
        #expect(first.count == 32 && first.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(first != DatabaseTemplate.generatePassword())
    }

    @Test("programs: the newest PostgreSQL, MariaDB's or MySQL's names, and a missing one names the package to install")
    func programs() throws {
        let files: Set<String> = [
            "/usr/lib/postgresql/13/bin/postgres", "/usr/lib/postgresql/13/bin/initdb",
            "/usr/lib/postgresql/16/bin/postgres", "/usr/lib/postgresql/16/bin/initdb", "/usr/lib/postgresql/16/bin/psql",
            "/usr/sbin/mysqld", "/usr/bin/mysql_install_db", "/opt/redis/bin/redis-server",
        ]
        func find(_ engine: DatabaseEngine, path: String = "/usr/bin") throws -> DatabasePrograms {
            try DatabasePrograms.find(
                engine, path: path, isExecutable: { files.contains($0) },
                listFolder: { $0 == "/usr/lib/postgresql" ? ["13", "16", "notes"] : [] }
            )
        }
        #expect(try find(.postgres)["server"] == "/usr/lib/postgresql/16/bin/postgres")
        #expect(try find(.postgres)["dump"] == "/usr/lib/postgresql/16/bin/pg_dump")
        #expect(try find(.mysql)["server"] == "/usr/sbin/mysqld" && find(.mysql)["init"] == "/usr/bin/mysql_install_db")
        #expect(try find(.redis, path: "/opt/redis/bin:/usr/bin")["server"] == "/opt/redis/bin/redis-server")
        #expect(throws: RailyardError.invalid("engine", "Redis is not installed on this Railyard server: install Debian's redis-server (apt-get install -y redis-server), then add the database again")) {
            try find(.redis)
        }
        let mongo = #expect(throws: RailyardError.self) { try find(.mongo) }
        #expect(mongo?.message.contains("mongodb-org-server") == true && mongo?.message.contains("Debian has none") == true)
    }

    @Test("engines parse from the words people use; others list the choices")
    func parsing() throws {
        #expect(try DatabaseEngine(parsing: "PostgreSQL") == .postgres)
        #expect(try DatabaseEngine(parsing: "mariadb") == .mysql)
        #expect(try DatabaseEngine(parsing: "mongodb") == .mongo)
        #expect(throws: RailyardError.invalid("engine", "'oracle' is not a database Railyard runs; choose postgres, redis, mysql or mongo")) {
            try DatabaseEngine(parsing: "oracle")
        }
    }

    @Test("a generated source is stored once under the digest of its names and texts")
    func generatedSource() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("railyard-generated-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = SourceArchiveStore(root: root)
        let digest = try store.ingest(generated: ["start.sh": "echo one\n"])
        #expect(try store.ingest(generated: ["start.sh": "echo one\n"]) == digest)
        #expect(try store.ingest(generated: ["start.sh": "echo two\n"]) != digest)
        #expect(try String(contentsOf: store.directory(for: digest).appendingPathComponent("start.sh"), encoding: .utf8) == "echo one\n")
        #expect(throws: RailyardError.self) { try store.ingest(generated: ["../escape": "x"]) }
    }

    /// Runs a template's credential check under /bin/sh with `environment`: its exit status and stderr.
    static func check(_ engine: DatabaseEngine, _ environment: [String: String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "set -eu\n" + DatabaseTemplate(engine: engine, programs: programs).credentialCheck + "echo checked"]
        process.environment = environment
        let errors = Pipe(), output = Pipe()
        process.standardError = errors
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    @Test("a credential the start script cannot pass on safely fails the start with a line naming it; generated ones pass")
    func credentialCheck() throws {
        for engine in DatabaseEngine.allCases {
            let template = DatabaseTemplate(engine: engine, programs: Self.programs)
            let generated = template.variables(password: "Abc123xyz789Abc123xyz789Abc123xy")
            let (status, _) = try Self.check(engine, generated)
            #expect(status == 0, "\(engine) refused its own generated variables")
            #expect(template.startScript.contains(template.credentialCheck), "\(engine)'s start script does not check")
            for rule in template.forbiddenCharacters {
                var bad = generated
                bad[rule.variable] = "pa\(rule.character)ss"
                let (refused, message) = try Self.check(engine, bad)
                #expect(refused == 1 && message.contains("\(rule.variable) may not contain \(rule.name)"), "\(engine) \(rule.variable): \(message)")
            }
        }
    }
}
