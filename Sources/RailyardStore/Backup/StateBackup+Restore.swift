import Crypto
import Foundation
import Glibc
import Logging
import RailyardCore
import SQLKit

extension StateBackup {
    /// Restores `file` into a stopped server's data dir and store (SQLite in the data dir, or the
    /// PostgreSQL database of `location`), then migrates the schema forward to this binary's.
    ///
    /// Refuses a target that already holds state unless `force`. Nothing is half written: the rows go
    /// into a new SQLite file renamed into place (PostgreSQL: one transaction that also drops the old
    /// tables), and `secret.key` and `tls/` are written beside their old selves and renamed in after it.
    public static func restore(
        _ file: BackupFile, dataDirectory: URL, location: StoreLocation, environment: [String: String], force: Bool, logger: Logger
    ) async throws {
        let manager = FileManager.default
        let keyPath = dataDirectory.appendingPathComponent(ServerSecret.fileName)
        var writeKey = true
        if let value = environment[ServerSecret.environmentVariable], !value.isEmpty {
            guard Data(value.utf8) == file.secret else {
                throw RailyardError(
                    .invalidInput,
                    "\(ServerSecret.environmentVariable) is not the key this backup was taken with; unset it (the backup's key is then restored to \(keyPath.path)) or set it to that key"
                )
            }
            writeKey = false
        }

        if case .sqlite(let path) = location, let holder = processesHolding(path).first {
            throw RailyardError(
                .conflict, "process \(holder) has \(path) open (a running server?); stop it before restoring into its data dir"
            )
        }

        // What is there already, found before anything is written.
        var occupied: [String] = []
        if writeKey, manager.fileExists(atPath: keyPath.path) {
            let existing = try? ServerSecret.existing(dataDirectory: dataDirectory, environment: [:])
            if existing?.material.withUnsafeBytes({ Data($0) }) == file.secret {
                writeKey = false
            } else {
                occupied.append("\(keyPath.path) holds another key")
            }
        }
        let tls = dataDirectory.appendingPathComponent("tls", isDirectory: true)
        if !file.files.isEmpty, let inside = try? manager.contentsOfDirectory(atPath: tls.path), !inside.isEmpty {
            occupied.append("\(tls.path) exists")
        }
        if let state = try await existingState(location, logger: logger) { occupied.append(state) }
        guard occupied.isEmpty || force else {
            throw RailyardError(
                .conflict,
                "the target already has state (\(occupied.joined(separator: "; "))); restore into an empty data dir or database, or pass --force to replace it"
            )
        }

        try manager.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        _ = chmod(dataDirectory.path, 0o711)
        let stamp = UUID().uuidString.prefix(8).lowercased()
        let newTLS = dataDirectory.appendingPathComponent(".tls.restoring-\(stamp)", isDirectory: true)
        let newKey = ".\(ServerSecret.fileName).restoring-\(stamp)"
        defer {
            try? manager.removeItem(at: newTLS)
            unlink(dataDirectory.appendingPathComponent(newKey).path)
        }
        if writeKey { try ServerSecret.writeKeyFile(SymmetricKey(data: file.secret), in: dataDirectory, name: newKey) }
        if !file.files.isEmpty { try write(file.files, into: newTLS) }

        try await restoreDatabase(file, location: location, force: force, logger: logger)

        // The database is in place; the key and certificates follow it.
        if writeKey, rename(dataDirectory.appendingPathComponent(newKey).path, keyPath.path) != 0 {
            throw RailyardError(.internal, "the database was restored but \(keyPath.path) could not be written (\(String(cString: strerror(errno)))); run the restore again with --force")
        }
        if !file.files.isEmpty {
            let old = dataDirectory.appendingPathComponent(".tls.replaced-\(stamp)", isDirectory: true)
            let hadOld = manager.fileExists(atPath: tls.path)
            if hadOld { try manager.moveItem(at: tls, to: old) }
            try manager.moveItem(at: newTLS.appendingPathComponent("tls"), to: tls)
            if hadOld { try? manager.removeItem(at: old) }
        }
    }

    /// Other processes that have the file at `path` open, by pid (from `/proc/*/fd`; only those this
    /// user may inspect): a restore must not replace a database a server is using.
    static func processesHolding(_ path: String) -> [Int32] {
        let manager = FileManager.default
        guard manager.fileExists(atPath: path) else { return [] }
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let me = getpid()
        return ((try? manager.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).filter { pid in
            guard pid != me, let descriptors = try? manager.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { return false }
            return descriptors.contains { (try? manager.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)")) == target }
        }.sorted()
    }

    /// A sentence naming the state the store already holds, or nil when it is empty. On SQLite this
    /// also checkpoints the file's WAL into it (by opening and closing it), so the file can later be
    /// replaced whole.
    private static func existingState(_ location: StoreLocation, logger: Logger) async throws -> String? {
        if case .sqlite(let path) = location, !FileManager.default.fileExists(atPath: path) { return nil }
        let engine = try await SQLStore.connect(location, logger: logger)
        do {
            let tables = try await engine.withConnection { db in try await BackupTables.existing(on: db, kind: engine.kind) }
            try await engine.shutdown()
            let ours = tables.intersection(BackupTables.order + [BackupTables.migrations])
            guard !ours.isEmpty else { return nil }
            return "\(location.redacted) has Railyard tables"
        } catch {
            try? await engine.shutdown()
            throw error
        }
    }

    /// Writes the rows (and their schema) to the store: on SQLite into a new file renamed over the old
    /// one, on PostgreSQL in one transaction; then runs the migrations newer than the file's schema.
    private static func restoreDatabase(_ file: BackupFile, location: StoreLocation, force: Bool, logger: Logger) async throws {
        switch location {
        case .sqlite(let path):
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let temporary = path + ".restoring"
            for suffix in ["", "-wal", "-shm", "-journal"] { unlink(temporary + suffix) }
            let engine = try await SQLStore.connect(.sqlite(path: temporary), logger: logger)
            do {
                try await engine.transaction { db in try await insert(file, into: db, kind: engine.kind, dropping: []) }
                try await Migrations.run(on: engine, logger: logger)
                try await engine.shutdown()
            } catch {
                try? await engine.shutdown()
                for suffix in ["", "-wal", "-shm", "-journal"] { unlink(temporary + suffix) }
                throw error
            }
            // Closing checkpointed the new file's WAL into it; the old file's was checkpointed when
            // it was inspected. Stale -wal/-shm files must not be replayed onto the new database.
            for suffix in ["-wal", "-shm"] { unlink(path + suffix) }
            guard rename(temporary, path) == 0 else {
                throw RailyardError(.internal, "cannot move the restored database to \(path): \(String(cString: strerror(errno)))")
            }
        case .postgres:
            let engine = try await SQLStore.connect(location, logger: logger)
            do {
                let existing = try await engine.withConnection { db in try await BackupTables.existing(on: db, kind: engine.kind) }
                let dropping = force ? existing.intersection(BackupTables.order + [BackupTables.migrations]) : []
                try await engine.transaction { db in try await insert(file, into: db, kind: engine.kind, dropping: dropping) }
                try await Migrations.run(on: engine, logger: logger)
                try await engine.shutdown()
            } catch {
                try? await engine.shutdown()
                throw error
            }
        }
    }

    /// In the caller's transaction: drops `dropping`, builds the file's schema version and inserts
    /// every row, refusing a table whose columns are not that version's.
    private static func insert(_ file: BackupFile, into db: any SQLDatabase, kind: DatabaseKind, dropping: Set<String>) async throws {
        for table in dropping.sorted() {
            try await db.raw("DROP TABLE IF EXISTS \(ident: table) CASCADE").run()
        }
        try await Migrations.create(through: file.manifest.schemaVersion, on: db)
        for table in file.manifest.tables {
            let target = try await BackupTables.columns(of: table.name, on: db, kind: kind)
            guard Set(target.map(\.name)) == Set(table.columns.map(\.name)) else {
                throw RailyardError(
                    .invalidInput,
                    "the backup's table \(table.name) has columns \(table.columns.map(\.name).joined(separator: ", ")), which is not schema version \(file.manifest.schemaVersion)'s \(target.map(\.name).joined(separator: ", "))"
                )
            }
            let kinds = Dictionary(target.map { ($0.name, $0.kind) }, uniquingKeysWith: { first, _ in first })
            for row in file.rows[table.name] ?? [] {
                var query = SQLQueryString("INSERT INTO ")
                query.appendInterpolation(ident: table.name)
                query.appendLiteral(" (")
                query.appendInterpolation(idents: table.columns.map(\.name), joinedBy: ", ")
                query.appendLiteral(") VALUES (")
                for (index, (column, value)) in zip(table.columns, row).enumerated() {
                    if index > 0 { query.appendLiteral(", ") }
                    switch (kinds[column.name], value) {
                    case (.text, .text(let text)): query.appendInterpolation(bind: text)
                    case (.text, .null): query.appendInterpolation(bind: String?.none)
                    case (.integer, .integer(let number)): query.appendInterpolation(bind: number)
                    case (.integer, .null): query.appendInterpolation(bind: Int64?.none)
                    default:
                        throw RailyardError(.invalidInput, "the backup's table \(table.name) has a value of the wrong type in column \(column.name)")
                    }
                }
                query.appendLiteral(")")
                try await db.raw(query).run()
            }
        }
    }

    /// Writes the backup's files under `root` (which must not exist), each with its recorded mode.
    private static func write(_ files: [BackupFileEntry], into root: URL) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: root, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        for entry in files {
            guard BackupFolders.isKept(entry.path), let data = Data(base64Encoded: entry.data) else { continue }
            let target = root.appendingPathComponent(entry.path)
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let fd = open(target.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw RailyardError(.internal, "cannot write \(target.path): \(String(cString: strerror(errno)))") }
            let written = data.withUnsafeBytes { buffer in buffer.isEmpty ? 0 : Glibc.write(fd, buffer.baseAddress!, buffer.count) }
            let synced = fsync(fd) == 0
            close(fd)
            guard written == data.count, synced, chmod(target.path, mode_t(entry.mode & 0o777)) == 0 else {
                throw RailyardError(.internal, "cannot write \(target.path)")
            }
        }
    }
}
