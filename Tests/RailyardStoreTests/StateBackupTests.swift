import Foundation
import Logging
import RailyardCore
@testable import RailyardStore
import RailyardTestSupport
import Testing

/// `railyard server backup` / `restore` at the store: a file taken from one engine restores the same
/// state (sealed variables included) into either engine, and bad files or occupied targets are
/// refused before anything is written.
@Suite("Store: backup and restore")
struct StateBackupTests {
    static let logger: Logger = {
        var logger = Logger(label: "railyard.test.backup")
        logger.logLevel = .error
        return logger
    }()

    /// A database with a data dir holding its secret.key (and a `tls/` file), seeded with a project.
    struct Source {
        let database: TestDatabase
        var dataDirectory: URL { database.directory }
        let seeded: Seeded

        func take() async throws -> BackupFile {
            try await StateBackup.take(
                dataDirectory: dataDirectory, location: database.location, environment: [:], railyardVersion: "test", logger: StateBackupTests.logger
            )
        }
    }

    /// What `seed` made, to compare a restore against.
    struct Seeded {
        var user: User
        var workspaceId: String
        var project: ProjectDetail
        var service: Service
        var deployment: Deployment
        var domain: ServiceDomain
    }

    static func makeSource(_ engine: TestEngine) async throws -> Source {
        let database = try await TestDatabase.make(engine)
        let secret = try ServerSecret.load(dataDirectory: database.directory, environment: [:])
        let store = try await database.openStore(secret: secret)
        do {
            let seeded = try await seed(store)
            try await store.close()
            let keys = database.directory.appendingPathComponent("tls/domains/shop.example.com")
            try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
            try Data("-----BEGIN PRIVATE KEY-----\n".utf8).write(to: keys.appendingPathComponent("privkey.pem"))
            #expect(chmod(keys.appendingPathComponent("privkey.pem").path, 0o600) == 0)
            return Source(database: database, seeded: seeded)
        } catch {
            try? await store.close()
            await database.destroy()
            throw error
        }
    }

    static func seed(_ store: SQLStore) async throws -> Seeded {
        let user = try await store.createUser(email: "ops@example.com", name: "Ops", passwordHash: "bcrypt-hash")
        let workspaceId = try await store.memberships(userId: user.id)[0].workspace.id
        let project = try await store.createProject(workspaceId: workspaceId, name: "shop", description: "the shop")
        let environment = project.environments[0]
        let service = try await store.createService(projectId: project.project.id, name: "web", source: ServiceSource(repo: "https://example.com/shop.git", branch: "main"))
        _ = try await store.updateVariables(
            environmentId: environment.id, serviceId: service.id, set: ["SECRET_KEY": "s3cr3t-vålue", "EMPTY": ""], delete: []
        )
        _ = try await store.updateVariables(environmentId: environment.id, serviceId: nil, set: ["SHARED": "for all"], delete: [])
        var deployment = Deployment(id: "d-1", serviceId: service.id, environmentId: environment.id, createdAt: Date(timeIntervalSince1970: 1_700_000_000))
        try await store.createDeployment(deployment)
        let live = try deployment.moving(to: .initializing, at: Date(timeIntervalSince1970: 1_700_000_001))
        try await store.saveDeployment(live, from: .queued)
        deployment = live
        let domain = try await store.createCustomDomain(serviceId: service.id, environmentId: environment.id, host: "shop.example.com")
        try await store.saveServiceSettings(ServiceConfig(deploy: .init(numReplicas: 2)), serviceId: service.id, environmentId: environment.id)
        _ = try await store.allocatedNumber(.serviceUser, owner: service.id)
        return Seeded(user: user, workspaceId: workspaceId, project: project, service: service, deployment: deployment, domain: domain)
    }

    /// Checks that `store` holds what `seed` made.
    static func expectSeeded(_ store: SQLStore, _ seeded: Seeded) async throws {
        let environment = seeded.project.environments[0]
        #expect(try await store.user(email: "ops@example.com") == seeded.user)
        #expect(try await store.passwordHash(userId: seeded.user.id) == "bcrypt-hash")
        #expect(try await store.projects(workspaceIds: [seeded.workspaceId]) == [seeded.project.project])
        #expect(try await store.projectDetail(id: seeded.project.project.id)?.services == [seeded.service])
        #expect(try await store.variables(environmentId: environment.id, serviceId: seeded.service.id) == ["SECRET_KEY": "s3cr3t-vålue", "EMPTY": ""])
        #expect(try await store.variables(environmentId: environment.id, serviceId: nil) == ["SHARED": "for all"])
        #expect(try await store.deployment(id: "d-1") == seeded.deployment)
        #expect(try await store.allDomains() == [seeded.domain])
        #expect(try await store.serviceSettings(serviceId: seeded.service.id, environmentId: environment.id) == ServiceConfig(deploy: .init(numReplicas: 2)))
        #expect(try await store.allocatedNumber(.serviceUser, owner: seeded.service.id) == 1, "allocations keep their numbers")
        // The restored schema is the newest: tables of every migration work.
        #expect(try await store.cronRuns(serviceId: seeded.service.id, environmentId: environment.id, limit: 10).isEmpty)
    }

    /// Restores `file` into a fresh database of `engine` with a fresh data dir, then opens it with the
    /// key the restore wrote, as the next server start would.
    static func restoreFresh(_ file: BackupFile, into engine: TestEngine, _ check: (SQLStore, URL) async throws -> Void) async throws {
        let target = try await TestDatabase.make(engine)
        let dataDirectory = target.directory.appendingPathComponent("data")
        do {
            try await StateBackup.restore(file, dataDirectory: dataDirectory, location: target.location, environment: [:], force: false, logger: logger)
            let store = try await target.openStore(secret: try ServerSecret.load(dataDirectory: dataDirectory, environment: [:]))
            do {
                try await check(store, dataDirectory)
            } catch {
                try? await store.close()
                throw error
            }
            try await store.close()
        } catch {
            await target.destroy()
            throw error
        }
        await target.destroy()
    }

    @Test(
        "a backup restores projects, services, sealed variables, deployments, domains and tls/ into either engine",
        arguments: [(TestEngine.sqlite, TestEngine.sqlite), (.sqlite, .postgres), (.postgres, .sqlite)]
    )
    func roundTrip(from: TestEngine, to: TestEngine) async throws {
        let source = try await Self.makeSource(from)
        defer { Task { await source.database.destroy() } }
        let file = try await source.take()
        #expect(file.manifest.sourceEngine == from.rawValue)
        #expect(file.manifest.tables.map(\.name).contains("cron_runs"), "every table is in the file: \(file.manifest.tables.map(\.name))")

        let path = source.dataDirectory.appendingPathComponent("backup.jsonl").path
        try StateBackup.write(file, to: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect(attributes[.posixPermissions] as? Int == 0o600, "the backup holds the secret key")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("SECRET_KEY") && !text.contains("s3cr3t-vålue"), "variables stay sealed in the file")
        let read = try StateBackup.read(path: path)
        #expect(read == file)

        try await Self.restoreFresh(read, into: to) { store, dataDirectory in
            try await Self.expectSeeded(store, source.seeded)
            let key = dataDirectory.appendingPathComponent("secret.key").path
            #expect(try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int == 0o600)
            let privateKey = dataDirectory.appendingPathComponent("tls/domains/shop.example.com/privkey.pem").path
            #expect(FileManager.default.contents(atPath: privateKey) == Data("-----BEGIN PRIVATE KEY-----\n".utf8))
            #expect(try FileManager.default.attributesOfItem(atPath: privateKey)[.posixPermissions] as? Int == 0o600)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: dataDirectory.path).filter { $0.contains("restoring") }
            #expect(leftovers.isEmpty, "\(leftovers)")
        }
    }

    @Test("a target with state is refused and kept; --force replaces it whole", arguments: TestEngine.allCases)
    func occupiedTarget(engine: TestEngine) async throws {
        let source = try await Self.makeSource(.sqlite)
        defer { Task { await source.database.destroy() } }
        let file = try await source.take()

        let target = try await TestDatabase.make(engine)
        defer { Task { await target.destroy() } }
        let dataDirectory = target.directory.appendingPathComponent("data")
        let ownSecret = try ServerSecret.load(dataDirectory: dataDirectory, environment: [:])
        let store = try await target.openStore(secret: ownSecret)
        let own = try await store.createUser(email: "someone@example.com", name: nil, passwordHash: nil)
        try await store.close()

        let error = await #expect(throws: RailyardError.self) {
            try await StateBackup.restore(file, dataDirectory: dataDirectory, location: target.location, environment: [:], force: false, logger: Self.logger)
        }
        #expect(error?.code == .conflict)
        #expect(error?.message.contains("already has state") == true && error?.message.contains("--force") == true, "\(String(describing: error))")
        let kept = try await target.openStore(secret: try ServerSecret.load(dataDirectory: dataDirectory, environment: [:]))
        #expect(try await kept.user(email: "someone@example.com") == own, "the refused target is untouched")
        try await kept.close()

        try await StateBackup.restore(file, dataDirectory: dataDirectory, location: target.location, environment: [:], force: true, logger: Self.logger)
        let replaced = try await target.openStore(secret: try ServerSecret.load(dataDirectory: dataDirectory, environment: [:]))
        #expect(try await replaced.user(email: "someone@example.com") == nil, "the old state is gone, not merged")
        try await Self.expectSeeded(replaced, source.seeded)
        try await replaced.close()
    }

    @Test("a file from a newer schema, a cut-off file and a file whose key does not open its variables are refused")
    func badFiles() async throws {
        let source = try await Self.makeSource(.sqlite)
        defer { Task { await source.database.destroy() } }
        let path = source.dataDirectory.appendingPathComponent("backup.jsonl").path
        try StateBackup.write(try await source.take(), to: path)
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        let good = lines

        let versionField = #""schemaVersion":"#
        let version = try #require(lines[0].range(of: versionField + #"\d+"#, options: .regularExpression))
        lines[0].replaceSubrange(version, with: "\(versionField)999")
        try Self.expectRefused(lines, at: path, saying: "holds schema version 999, newer than this railyard knows")

        try Self.expectRefused(Array(good.dropLast()), at: path, saying: "no end line: the file was cut off")
        try Self.expectRefused(Array(good.dropFirst()), at: path, saying: "first line is not a backup manifest")

        lines = good
        let secretLine = try #require(lines.firstIndex { $0.hasPrefix(#"{"secret":"#) })
        lines[secretLine] = #"{"secret":"\#(Data(repeating: 7, count: 32).base64EncodedString())"}"#
        try Self.expectRefused(lines, at: path, saying: "the secret key does not open the stored variable")

        lines = good
        let row = try #require(lines.firstIndex { $0.contains(#""table":"users""#) })
        lines[row] = lines[row].replacingOccurrences(of: #""table":"users""#, with: #""table":"users; DROP TABLE users""#)
        try Self.expectRefused(lines, at: path, saying: "that the manifest does not describe")

        // Nothing above was restored anywhere; the good file still reads.
        try good.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        _ = try StateBackup.read(path: path)
    }

    static func expectRefused(_ lines: [String], at path: String, saying: String) throws {
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: RailyardError.self) { _ = try StateBackup.read(path: path) }
        #expect(error?.message.contains(saying) == true, "expected '\(saying)' in \(String(describing: error?.message))")
        #expect(error?.message.contains("\n") == false, "one line")
    }

    @Test("a file from an older schema restores and is migrated to the newest")
    func olderSchema() async throws {
        let source = try await Self.makeSource(.sqlite)
        defer { Task { await source.database.destroy() } }
        let path = source.dataDirectory.appendingPathComponent("backup.jsonl").path
        try StateBackup.write(try await source.take(), to: path)
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        // Schema 9 added services.source_database and the two database-backup tables, 10 the project
        // webhooks, 11 usage samples: without them (and with no rows of those) this is a schema-8 file.
        var head = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        var manifest = try #require(head["manifest"] as? [String: Any])
        try #require(manifest["schemaVersion"] as? Int == Migrations.latestVersion)
        manifest["schemaVersion"] = 8
        var tables = try #require(manifest["tables"] as? [[String: Any]])
        // Tables a migration after 8 added (a new one goes here too, or this test fails below).
        let newer = ["database_backups", "database_backup_policies", "project_webhooks", "usage_samples", "audit_events", "workspace_invitations", "log_marks", "webhook_outbox", "webhook_attempts"]
        try #require(Migrations.latestVersion == 14, "add the tables of migrations after 14 to `newer`")
        tables.removeAll { newer.contains($0["name"] as? String ?? "") }
        let servicesAt = try #require(tables.firstIndex { $0["name"] as? String == "services" })
        var columns = try #require(tables[servicesAt]["columns"] as? [[String: Any]])
        let dropped = try #require(columns.firstIndex { $0["name"] as? String == "source_database" })
        columns.remove(at: dropped)
        tables[servicesAt]["columns"] = columns
        manifest["tables"] = tables
        head["manifest"] = manifest
        lines[0] = String(decoding: try JSONSerialization.data(withJSONObject: head), as: UTF8.self)
        for index in lines.indices.dropFirst() {
            guard var line = try JSONSerialization.jsonObject(with: Data(lines[index].utf8)) as? [String: Any],
                line["table"] as? String == "services", var row = line["row"] as? [Any]
            else { continue }
            row.remove(at: dropped)
            line["row"] = row
            lines[index] = String(decoding: try JSONSerialization.data(withJSONObject: line), as: UTF8.self)
        }
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)

        let older = try StateBackup.read(path: path)
        #expect(older.manifest.schemaVersion == 8)
        try await Self.restoreFresh(older, into: .sqlite) { store, dataDirectory in
            try await Self.expectSeeded(store, source.seeded)
            let again = try await StateBackup.take(
                dataDirectory: dataDirectory, location: .sqlite(path: dataDirectory.deletingLastPathComponent().appendingPathComponent("railyard.db").path),
                environment: [:], railyardVersion: "test", logger: Self.logger
            )
            #expect(again.manifest.schemaVersion == Migrations.latestVersion, "migrated forward at restore")
        }
    }

    @Test("a backup of a data dir that does not exist, or holds no database, is refused and creates nothing")
    func missingSource() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("railyard-backup-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        let missing = root.appendingPathComponent("nope")
        let error = await #expect(throws: RailyardError.self) {
            _ = try await StateBackup.take(
                dataDirectory: missing, location: .sqlite(path: missing.appendingPathComponent("railyard.db").path),
                environment: [:], railyardVersion: "test", logger: Self.logger
            )
        }
        #expect(error?.message.contains("\(missing.path) does not exist") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: missing.path))

        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        _ = try ServerSecret.load(dataDirectory: root, environment: [:])
        let noDatabase = await #expect(throws: RailyardError.self) {
            _ = try await StateBackup.take(
                dataDirectory: root, location: .sqlite(path: root.appendingPathComponent("railyard.db").path),
                environment: [:], railyardVersion: "test", logger: Self.logger
            )
        }
        #expect(noDatabase?.message.contains("no Railyard database at") == true, "\(String(describing: noDatabase))")
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("railyard.db").path))
    }
}
