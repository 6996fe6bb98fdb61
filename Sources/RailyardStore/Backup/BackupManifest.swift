import Foundation

/// The first line of a backup: what wrote it, when, from which schema and engine, and what it holds.
public struct BackupManifest: Codable, Sendable, Equatable {
    /// Always ``BackupFile/format``.
    public var format: String
    /// The file's layout version (``BackupFile/formatVersion``).
    public var formatVersion: Int
    /// The schema migration the rows were read at; a restore builds this schema, then migrates.
    public var schemaVersion: Int
    /// The Railyard that wrote the file.
    public var railyardVersion: String
    /// When the rows were read (whole seconds).
    public var createdAt: Date
    /// The engine the rows were read from (`sqlite` or `postgres`); restores may go to either.
    public var sourceEngine: String
    /// Where the secret came from: `file` (secret.key) or `environment` (RAILYARD_SECRET_KEY).
    public var secretOrigin: String
    /// Every table, parents before the rows that refer to them.
    public var tables: [BackupTable]
}

/// One table of a backup: its columns as read, and how many rows follow.
public struct BackupTable: Codable, Sendable, Equatable {
    public var name: String
    public var columns: [BackupColumn]
    public var rows: Int
}

/// A column of a backed-up table; the schema has only text and integer columns.
public struct BackupColumn: Codable, Sendable, Equatable {
    /// How a column's values are written: JSON strings or JSON integers.
    public enum Kind: String, Codable, Sendable {
        case text
        case integer
    }

    public var name: String
    public var kind: Kind
}
