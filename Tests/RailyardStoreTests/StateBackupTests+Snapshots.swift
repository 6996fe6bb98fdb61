import Foundation
import RailyardCore
@testable import RailyardStore
import RailyardTestSupport
import Testing

/// Backups of a store that is being written, and keys from the environment.
extension StateBackupTests {
    @Test("backups taken while another connection keeps creating projects are consistent snapshots", arguments: TestEngine.allCases)
    func consistentWhileWriting(engine: TestEngine) async throws {
        let source = try await Self.makeSource(engine)
        defer { Task { await source.database.destroy() } }
        // The server's connection, writing while the backups read through their own.
        let writer = try await source.database.openStore(secret: try ServerSecret.load(dataDirectory: source.dataDirectory, environment: [:]))
        let workspaceId = source.seeded.workspaceId
        let writes = Task {
            for index in 0..<150 { _ = try await writer.createProject(workspaceId: workspaceId, name: "p\(index)", description: "") }
        }
        var files: [BackupFile] = []
        for _ in 0..<8 { files.append(try await source.take()) }
        try await writes.value
        try await writer.close()

        for file in files {
            let projects = Set(Self.column("id", of: "projects", in: file))
            let owners = Self.column("project_id", of: "environments", in: file)
            // A project and its production environment are written in one transaction: a snapshot has
            // both or neither.
            #expect(Set(owners) == projects, "\(projects.count) projects, \(owners.count) environments")
        }
        let last = try #require(files.last)
        let expected = Set(Self.column("id", of: "projects", in: last))
        try await Self.restoreFresh(last, into: .sqlite) { store, _ in
            let restored = try await store.projects(workspaceIds: [workspaceId])
            #expect(Set(restored.map(\.id)) == expected)
        }
    }

    @Test("a key from RAILYARD_SECRET_KEY is restored to secret.key; a different RAILYARD_SECRET_KEY at restore is refused")
    func environmentKey() async throws {
        let value = "an environment secret of at least thirty-two characters"
        let database = try await TestDatabase.make(.sqlite)
        defer { Task { await database.destroy() } }
        let secret = try ServerSecret.load(dataDirectory: database.directory, environment: [ServerSecret.environmentVariable: value])
        let store = try await database.openStore(secret: secret)
        let seeded = try await Self.seed(store)
        try await store.close()
        let file = try await StateBackup.take(
            dataDirectory: database.directory, location: database.location,
            environment: [ServerSecret.environmentVariable: value], railyardVersion: "test", logger: Self.logger
        )
        #expect(file.manifest.secretOrigin == "environment")
        #expect(!FileManager.default.fileExists(atPath: database.directory.appendingPathComponent("secret.key").path), "no key file was made")

        let target = try await TestDatabase.make(.sqlite)
        defer { Task { await target.destroy() } }
        let dataDirectory = target.directory.appendingPathComponent("data")
        let error = await #expect(throws: RailyardError.self) {
            try await StateBackup.restore(
                file, dataDirectory: dataDirectory, location: target.location,
                environment: [ServerSecret.environmentVariable: value + " but another"], force: false, logger: Self.logger
            )
        }
        #expect(error?.message.contains("is not the key this backup was taken with") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: dataDirectory.path), "nothing written")

        try await Self.restoreFresh(file, into: .sqlite) { restored, _ in
            try await Self.expectSeeded(restored, seeded)
        }
    }

    /// The values of one column of a table in a backup, as text.
    static func column(_ name: String, of table: String, in file: BackupFile) -> [String] {
        guard let index = file.manifest.tables.first(where: { $0.name == table })?.columns.firstIndex(where: { $0.name == name }) else { return [] }
        return (file.rows[table] ?? []).compactMap { row in
            if case .text(let value) = row[index] { return value }
            return nil
        }
    }
}
