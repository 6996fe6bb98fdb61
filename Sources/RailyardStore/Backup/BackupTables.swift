import Foundation
import RailyardCore
import SQLKit

/// Which tables a backup holds and in what order, and how their columns are read from either engine.
enum BackupTables {
    /// Every table of the schema but `schema_migrations` (the manifest's schema version stands for
    /// it), parents before the tables whose foreign keys point at them, so rows insert in this order.
    /// A migration that adds a table adds it here; a test checks that none is missing.
    static let order = [
        "users", "workspaces", "workspace_members", "api_tokens",
        "projects", "environments", "services", "service_variables", "shared_variables",
        "deployments", "domains", "replicas", "service_settings", "deployment_configs",
        "volumes", "allocations", "tcp_proxies", "cron_runs", "database_backups", "database_backup_policies", "project_webhooks", "usage_samples", "audit_events", "workspace_invitations", "log_marks",
        "webhook_outbox", "webhook_attempts",
    ]

    /// The schema's own bookkeeping table, rebuilt by the restore's migrations rather than copied.
    static let migrations = "schema_migrations"

    /// Refuses tables and columns that are not plain names of this schema: they are written into
    /// SQL, so a crafted file must not be able to say anything else.
    static func check(_ tables: [BackupTable]) throws {
        for table in tables {
            guard order.contains(table.name) else {
                throw RailyardError(.invalidInput, "the backup has a table '\(table.name)' that Railyard does not know")
            }
            for column in table.columns where !isPlainName(column.name) {
                throw RailyardError(.invalidInput, "the backup's table \(table.name) has a column named '\(column.name)'")
            }
        }
    }

    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }

    /// The tables in the database (ours and any other), by name.
    static func existing(on db: any SQLDatabase, kind: DatabaseKind) async throws -> Set<String> {
        let rows: [any SQLRow]
        switch kind {
        case .sqlite:
            rows = try await db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all()
        case .postgres:
            rows = try await db.raw(
                "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            ).all()
        }
        return Set(try rows.map { try $0.decode(column: "name", as: String.self) })
    }

    /// A table's columns in their declared order, each as text or integer.
    static func columns(of table: String, on db: any SQLDatabase, kind: DatabaseKind) async throws -> [BackupColumn] {
        switch kind {
        case .sqlite:
            let rows = try await db.raw("SELECT name, type FROM pragma_table_info(\(bind: table)) ORDER BY cid").all()
            return try rows.map {
                BackupColumn(name: try $0.decode(column: "name", as: String.self), kind: columnKind(try $0.decode(column: "type", as: String.self)))
            }
        case .postgres:
            let rows = try await db.raw("""
                SELECT column_name AS name, data_type AS type FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = \(bind: table) ORDER BY ordinal_position
                """).all()
            return try rows.map {
                BackupColumn(name: try $0.decode(column: "name", as: String.self), kind: columnKind(try $0.decode(column: "type", as: String.self)))
            }
        }
    }

    /// The schema declares TEXT and BIGINT only; anything integer-like is an integer.
    private static func columnKind(_ declared: String) -> BackupColumn.Kind {
        declared.uppercased().contains("INT") ? .integer : .text
    }
}
