import Foundation
import RailyardCore

/// A backup of a server's own state as it is written to disk: JSON lines, engine-neutral, so a file
/// taken from SQLite restores into PostgreSQL and back.
///
/// The first line is the ``BackupManifest``; then one line with the secret key, one per file of the
/// data dir's kept folders, one per table row; the last line repeats the counts, so a cut-off file is
/// refused rather than half restored.
public struct BackupFile: Sendable, Equatable {
    /// What the file is and where it came from.
    public var manifest: BackupManifest
    /// The server's secret key material (it opens the sealed variables).
    var secret: Data
    /// Files of the data dir (the `tls/` folder), by path relative to the data dir.
    var files: [BackupFileEntry]
    /// Every table's rows, in the manifest's table order.
    var rows: [String: [[BackupValue]]]

    /// The `format` every Railyard backup's manifest names.
    public static let format = "railyard-backup"
    /// The layout of the file this binary writes and reads.
    public static let formatVersion = 1

    /// The file's bytes: one JSON document per line.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var data = Data()
        func line(_ value: BackupLine) throws {
            data.append(try encoder.encode(value))
            data.append(0x0A)
        }
        try line(BackupLine(manifest: manifest))
        try line(BackupLine(secret: secret.base64EncodedString()))
        for file in files { try line(BackupLine(file: file)) }
        for table in manifest.tables {
            for row in rows[table.name] ?? [] { try line(BackupLine(table: table.name, row: row)) }
        }
        try line(BackupLine(end: BackupLine.End(rows: manifest.tables.reduce(0) { $0 + $1.rows }, files: files.count)))
        return data
    }

    /// Reads and checks a whole file: a manifest this binary understands, every line well formed and
    /// counted, and nothing missing at the end. Throws a ``RailyardError`` whose message names what
    /// is wrong.
    static func decode(_ data: Data, name: String) throws -> BackupFile {
        func invalid(_ why: String) -> RailyardError {
            RailyardError(.invalidInput, "\(name) is not a usable Railyard backup: \(why)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var lines = data.split(separator: 0x0A, omittingEmptySubsequences: true).makeIterator()
        guard let first = lines.next(), let head = try? decoder.decode(BackupLine.self, from: first),
            let manifest = head.manifest, manifest.format == format
        else {
            throw invalid("its first line is not a backup manifest (write one with `railyard server backup --to FILE`)")
        }
        guard manifest.formatVersion <= formatVersion else {
            throw invalid("it is in backup format \(manifest.formatVersion), newer than this railyard reads (\(formatVersion)); restore it with a newer railyard")
        }
        guard manifest.schemaVersion <= Migrations.latestVersion else {
            throw invalid(
                "it holds schema version \(manifest.schemaVersion), newer than this railyard knows (\(Migrations.latestVersion)); restore it with the railyard that wrote it (\(manifest.railyardVersion)) or newer"
            )
        }
        let columns = Dictionary(manifest.tables.map { ($0.name, $0.columns.count) }, uniquingKeysWith: { first, _ in first })
        var file = BackupFile(manifest: manifest, secret: Data(), files: [], rows: Dictionary(manifest.tables.map { ($0.name, []) }, uniquingKeysWith: { first, _ in first }))
        var secret: Data?
        var end: BackupLine.End?
        var number = 1
        while let bytes = lines.next() {
            number += 1
            guard end == nil else { throw invalid("line \(number) comes after its end line") }
            guard let line = try? decoder.decode(BackupLine.self, from: bytes) else { throw invalid("line \(number) is not valid") }
            if let value = line.secret {
                guard let material = Data(base64Encoded: value), material.count >= 32 else {
                    throw invalid("its secret key (line \(number)) is not 32+ base64 bytes")
                }
                secret = material
            } else if let entry = line.file {
                guard BackupFolders.isKept(entry.path), Data(base64Encoded: entry.data) != nil else {
                    throw invalid("line \(number) holds a file Railyard does not restore ('\(entry.path)')")
                }
                file.files.append(entry)
            } else if let table = line.table, let row = line.row {
                guard let count = columns[table], count == row.count else {
                    throw invalid("line \(number) is a row of table '\(table)' that the manifest does not describe")
                }
                file.rows[table]?.append(row)
            } else if let last = line.end {
                end = last
            } else {
                throw invalid("line \(number) is not a row, a file, the key or the end")
            }
        }
        guard let end else { throw invalid("it has no end line: the file was cut off") }
        guard let secret else { throw invalid("it holds no secret key, so its sealed variables could not be opened") }
        for table in manifest.tables where (file.rows[table.name]?.count ?? 0) != table.rows {
            throw invalid("table \(table.name) has \(file.rows[table.name]?.count ?? 0) rows but its manifest says \(table.rows)")
        }
        guard end.files == file.files.count, end.rows == manifest.tables.reduce(0, { $0 + $1.rows }) else {
            throw invalid("its end line counts \(end.rows) rows and \(end.files) files, which is not what it holds")
        }
        try BackupTables.check(manifest.tables)
        file.secret = secret
        return file
    }
}
