import Crypto
import Foundation
import Glibc
import Logging
import RailyardCore
import SQLKit

/// Backs up a server's own state — every table, the secret key and the data dir's `tls/` folder —
/// into one ``BackupFile``, and restores one (`StateBackup+Restore.swift`).
///
/// A backup reads every table in one snapshot transaction, so it is consistent while the server runs
/// and writes; it never migrates or creates anything.
public enum StateBackup {
    /// Reads the state of the server whose data dir and store are given (running or stopped).
    public static func take(
        dataDirectory: URL, location: StoreLocation, environment: [String: String], railyardVersion: String, logger: Logger
    ) async throws -> BackupFile {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dataDirectory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RailyardError(
                .invalidInput,
                "the data dir \(dataDirectory.path) does not exist; pass the server's --data (or set RAILYARD_DATA) as you start it",
                field: "--data"
            )
        }
        guard let secret = try ServerSecret.existing(dataDirectory: dataDirectory, environment: environment) else {
            throw RailyardError(
                .notConfigured,
                "no secret key: \(dataDirectory.appendingPathComponent(ServerSecret.fileName).path) does not exist and \(ServerSecret.environmentVariable) is not set; run the backup with the server's --data and environment"
            )
        }
        if case .sqlite(let path) = location, !FileManager.default.fileExists(atPath: path) {
            throw RailyardError(
                .invalidInput,
                "no Railyard database at \(path); pass the server's --data, or --database-url when its state is in PostgreSQL",
                field: "--data"
            )
        }
        let engine = try await SQLStore.connect(location, logger: logger)
        let read: (version: Int, tables: [BackupTable], rows: [String: [[BackupValue]]])
        do {
            read = try await engine.snapshotTransaction { db in try await readTables(db, kind: engine.kind, location: location) }
        } catch {
            try? await engine.shutdown()
            throw error
        }
        try await engine.shutdown()
        let file = BackupFile(
            manifest: BackupManifest(
                format: BackupFile.format, formatVersion: BackupFile.formatVersion, schemaVersion: read.version,
                railyardVersion: railyardVersion,
                // Whole seconds, as the file's ISO 8601 dates keep them.
                createdAt: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)), sourceEngine: engine.kind.rawValue,
                secretOrigin: (environment[ServerSecret.environmentVariable] ?? "").isEmpty ? "file" : "environment",
                tables: read.tables
            ),
            secret: secret.material.withUnsafeBytes { Data($0) },
            files: try BackupFolders.read(from: dataDirectory),
            rows: read.rows
        )
        try file.checkSecretOpensVariables()
        return file
    }

    /// Every known table's columns and rows, read in the caller's snapshot; refuses a database this
    /// binary's schema does not describe.
    private static func readTables(
        _ db: any SQLDatabase, kind: DatabaseKind, location: StoreLocation
    ) async throws -> (version: Int, tables: [BackupTable], rows: [String: [[BackupValue]]]) {
        let version = try await Migrations.currentVersion(on: db, kind: kind)
        guard version > 0 else {
            throw RailyardError(.invalidInput, "\(location.redacted) holds no Railyard state (no schema_migrations); check --data or --database-url")
        }
        guard version <= Migrations.latestVersion else {
            throw RailyardError(
                .invalidInput,
                "the database is at schema version \(version) but this railyard knows only up to \(Migrations.latestVersion); back it up with the railyard the server runs"
            )
        }
        let present = try await BackupTables.existing(on: db, kind: kind)
        let unknown = present.subtracting(BackupTables.order).subtracting([BackupTables.migrations])
        guard unknown.isEmpty else {
            throw RailyardError(.internal, "the database has tables this railyard cannot back up: \(unknown.sorted().joined(separator: ", "))")
        }
        var tables: [BackupTable] = []
        var rows: [String: [[BackupValue]]] = [:]
        for name in BackupTables.order where present.contains(name) {
            let columns = try await BackupTables.columns(of: name, on: db, kind: kind)
            let read = try await db.raw("SELECT * FROM \(ident: name)").all().map { row in
                try columns.map { column -> BackupValue in
                    switch column.kind {
                    case .text: return try row.decode(column: column.name, as: String?.self).map(BackupValue.text) ?? .null
                    case .integer: return try row.decode(column: column.name, as: Int64?.self).map(BackupValue.integer) ?? .null
                    }
                }
            }
            tables.append(BackupTable(name: name, columns: columns, rows: read.count))
            rows[name] = read
        }
        return (version, tables, rows)
    }

    /// Writes `file` to `path` with mode 0600 (it holds the secret key): into a temporary file beside
    /// it, synced, then renamed over `path`, so a reader never sees half a backup.
    public static func write(_ file: BackupFile, to path: String) throws {
        let data = try file.encoded()
        let target = URL(fileURLWithPath: path)
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString.prefix(8)).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw RailyardError(.invalidInput, "cannot write \(path): \(String(cString: strerror(errno)))", field: "--to")
        }
        let written = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if count <= 0 { return false }
                offset += count
            }
            return true
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard written, synced, rename(temporary.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw RailyardError(.internal, "cannot write \(path): \(reason)", field: "--to")
        }
    }

    /// Reads and checks a backup file (see ``BackupFile``); nothing is written.
    public static func read(path: String) throws -> BackupFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RailyardError(.invalidInput, "cannot read \(path): no such file, or it is not readable", field: "FILE")
        }
        let file = try BackupFile.decode(data, name: path)
        try file.checkSecretOpensVariables()
        return file
    }
}

extension BackupFile {
    /// Opens every sealed variable with the file's key: a backup whose variables its key cannot
    /// open would restore a server that cannot deploy them.
    func checkSecretOpensVariables() throws {
        let sealer = VariableSealer(secret: ServerSecret(material: SymmetricKey(data: secret)))
        for (table, scope) in [("service_variables", true), ("shared_variables", false)] {
            guard let columns = manifest.tables.first(where: { $0.name == table })?.columns.map(\.name) else { continue }
            func text(_ row: [BackupValue], _ column: String) -> String? {
                guard let index = columns.firstIndex(of: column), case .text(let value) = row[index] else { return nil }
                return value
            }
            for row in rows[table] ?? [] {
                guard let environmentId = text(row, "environment_id"), let key = text(row, "key"), let sealed = text(row, "sealed_value")
                else { continue }
                let serviceId = scope ? text(row, "service_id") : nil
                do {
                    _ = try sealer.open(sealed, context: VariableSealer.context(environmentId: environmentId, serviceId: serviceId, key: key))
                } catch {
                    throw RailyardError(
                        .notConfigured,
                        "the secret key does not open the stored variable \(key); give the backup the key the server uses (its secret.key, or the same \(ServerSecret.environmentVariable))"
                    )
                }
            }
        }
    }

    /// How many rows the file holds for `table` (0 when it has none).
    public func rowCount(_ table: String) -> Int { rows[table]?.count ?? 0 }

    /// How many files of the data dir (`tls/`) the file holds.
    public var fileCount: Int { files.count }
}
