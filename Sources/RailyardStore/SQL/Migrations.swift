import Foundation
import Logging
import SQLKit

/// A versioned schema change. Statements are written in the SQL both engines accept
/// (TEXT, BIGINT, composite keys, `ON DELETE CASCADE`); timestamps are Unix milliseconds.
struct Migration: Sendable {
    var version: Int
    var name: String
    var statements: [String]
}

/// The schema's history, oldest first. Append new migrations; never edit one that has shipped.
enum Migrations {
    static let all: [Migration] = [
        Migration(
            version: 1, name: "control plane",
            statements: [
                """
                CREATE TABLE users (
                    id TEXT PRIMARY KEY,
                    email TEXT UNIQUE,
                    name TEXT,
                    password_hash TEXT,
                    github_id TEXT UNIQUE,
                    github_login TEXT,
                    avatar_url TEXT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE workspaces (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    tier TEXT NOT NULL,
                    personal_owner_id TEXT UNIQUE REFERENCES users(id) ON DELETE CASCADE,
                    created_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE workspace_members (
                    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    role TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (workspace_id, user_id)
                )
                """,
                "CREATE INDEX workspace_members_user ON workspace_members(user_id)",
                """
                CREATE TABLE api_tokens (
                    id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE,
                    prefix TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    last_used_at BIGINT,
                    revoked_at BIGINT
                )
                """,
                "CREATE INDEX api_tokens_user ON api_tokens(user_id)",
                """
                CREATE TABLE projects (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    description TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    UNIQUE (workspace_id, name)
                )
                """,
                """
                CREATE TABLE environments (
                    id TEXT PRIMARY KEY,
                    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    UNIQUE (project_id, name)
                )
                """,
                """
                CREATE TABLE services (
                    id TEXT PRIMARY KEY,
                    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    source_repo TEXT,
                    source_branch TEXT,
                    source_root_directory TEXT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    UNIQUE (project_id, name)
                )
                """,
                """
                CREATE TABLE service_variables (
                    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
                    service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
                    key TEXT NOT NULL,
                    sealed_value TEXT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    PRIMARY KEY (environment_id, service_id, key)
                )
                """,
                "CREATE INDEX service_variables_service ON service_variables(service_id)",
                """
                CREATE TABLE shared_variables (
                    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
                    key TEXT NOT NULL,
                    sealed_value TEXT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    PRIMARY KEY (environment_id, key)
                )
                """,
            ]
        ),
        Migration(
            version: 2, name: "deployments, domains, replicas",
            statements: [
                """
                CREATE TABLE deployments (
                    id TEXT PRIMARY KEY,
                    service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
                    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
                    status TEXT NOT NULL,
                    source_digest TEXT,
                    provider TEXT,
                    failure_reason TEXT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    build_started_at BIGINT,
                    build_finished_at BIGINT,
                    deploy_started_at BIGINT,
                    finished_at BIGINT
                )
                """,
                "CREATE INDEX deployments_service ON deployments(service_id, environment_id, created_at)",
                "CREATE INDEX deployments_status ON deployments(status)",
                """
                CREATE TABLE domains (
                    id TEXT PRIMARY KEY,
                    service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
                    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
                    host TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX domains_service ON domains(service_id, environment_id)",
                """
                CREATE TABLE replicas (
                    id TEXT PRIMARY KEY,
                    deployment_id TEXT NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
                    pid BIGINT NOT NULL,
                    port BIGINT NOT NULL,
                    started_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX replicas_deployment ON replicas(deployment_id)",
            ]
        ),
        Migration(
            version: 3, name: "deployment commits",
            statements: [
                "ALTER TABLE deployments ADD COLUMN commit_sha TEXT",
                "ALTER TABLE deployments ADD COLUMN commit_message TEXT",
                "ALTER TABLE deployments ADD COLUMN commit_author TEXT",
            ]
        ),
        Migration(
            version: 4, name: "service settings, deployment configs",
            statements: [
                """
                CREATE TABLE service_settings (
                    service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
                    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
                    config TEXT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    PRIMARY KEY (service_id, environment_id)
                )
                """,
                """
                CREATE TABLE deployment_configs (
                    deployment_id TEXT PRIMARY KEY REFERENCES deployments(id) ON DELETE CASCADE,
                    config TEXT NOT NULL
                )
                """,
            ]
        ),
        Migration(
            version: 5, name: "volumes",
            statements: [
                """
                CREATE TABLE volumes (
                    id TEXT PRIMARY KEY,
                    service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
                    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
                    mount_path TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    UNIQUE (service_id, environment_id)
                )
                """,
            ]
        ),
        Migration(
            version: 6, name: "allocations, replica addresses",
            statements: [
                // Numbers handed out once and never again: a service's uid offset, a network's subnet.
                // No foreign key: a deleted service's number must stay taken (files may still carry it).
                """
                CREATE TABLE allocations (
                    kind TEXT NOT NULL,
                    owner TEXT NOT NULL,
                    number BIGINT NOT NULL,
                    PRIMARY KEY (kind, owner),
                    UNIQUE (kind, number)
                )
                """,
                "ALTER TABLE replicas ADD COLUMN address TEXT",
            ]
        ),
        Migration(
            version: 7, name: "tcp proxies",
            statements: [
                """
                CREATE TABLE tcp_proxies (
                    id TEXT PRIMARY KEY,
                    service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
                    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
                    target_port BIGINT NOT NULL,
                    public_port BIGINT NOT NULL UNIQUE,
                    created_at BIGINT NOT NULL,
                    UNIQUE (service_id, environment_id, target_port)
                )
                """,
            ]
        ),
        Migration(
            version: 8, name: "cron runs",
            statements: [
                // One row per due time of a cron service: a run (with its process while it goes) or a skip.
                """
                CREATE TABLE cron_runs (
                    id TEXT PRIMARY KEY,
                    service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
                    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
                    deployment_id TEXT NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
                    scheduled_at BIGINT NOT NULL,
                    started_at BIGINT,
                    ended_at BIGINT,
                    exit_code BIGINT,
                    status TEXT NOT NULL,
                    detail TEXT,
                    pid BIGINT
                )
                """,
                "CREATE INDEX cron_runs_service ON cron_runs(service_id, environment_id, scheduled_at)",
                "CREATE INDEX cron_runs_status ON cron_runs(status)",
            ]
        ),
        Migration(
            version: 9, name: "database services, database backups",
            statements: [
                "ALTER TABLE services ADD COLUMN source_database TEXT",
                // One row per backup of a database service in an environment: its file is
                // backups/<id>.<ext> in the data dir while the row is SUCCESS.
                """
                CREATE TABLE database_backups (
                    id TEXT PRIMARY KEY,
                    service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
                    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
                    engine TEXT NOT NULL,
                    status TEXT NOT NULL,
                    trigger TEXT NOT NULL,
                    size_bytes BIGINT,
                    detail TEXT,
                    created_at BIGINT NOT NULL,
                    finished_at BIGINT
                )
                """,
                "CREATE INDEX database_backups_service ON database_backups(service_id, environment_id, created_at)",
                // A database service's backup schedule and retention in an environment.
                """
                CREATE TABLE database_backup_policies (
                    service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
                    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
                    schedule TEXT,
                    retain BIGINT NOT NULL,
                    PRIMARY KEY (service_id, environment_id)
                )
                """,
            ]
        ),
        Migration(
            version: 10, name: "project webhooks",
            statements: [
                // Receivers of a project's deploy events; their signing secrets are derived, not stored.
                """
                CREATE TABLE project_webhooks (
                    id TEXT PRIMARY KEY,
                    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                    url TEXT NOT NULL,
                    format TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX project_webhooks_project ON project_webhooks(project_id)",
            ]
        ),
        Migration(
            version: 11, name: "usage samples",
            statements: [
                // Replicas' resource use at 5 s, rolled up to 60 s and 600 s, each kept for a while.
                // No foreign keys: figures outlive their replica, and old ones are pruned by age.
                """
                CREATE TABLE usage_samples (
                    service_id TEXT NOT NULL,
                    environment_id TEXT NOT NULL,
                    replica_id TEXT NOT NULL,
                    resolution BIGINT NOT NULL,
                    at BIGINT NOT NULL,
                    cpu_millicores BIGINT NOT NULL,
                    memory_bytes BIGINT NOT NULL,
                    memory_limit_bytes BIGINT NOT NULL,
                    net_rx_bytes BIGINT NOT NULL,
                    net_tx_bytes BIGINT NOT NULL,
                    disk_bytes BIGINT NOT NULL,
                    PRIMARY KEY (service_id, environment_id, replica_id, resolution, at)
                )
                """,
                "CREATE INDEX usage_samples_age ON usage_samples(resolution, at)",
            ]
        ),
        Migration(
            version: 12, name: "audit log, invitations",
            statements: [
                // Who changed what in a workspace; kept after the actor or the thing is gone.
                """
                CREATE TABLE audit_events (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                    actor_id TEXT NOT NULL,
                    actor_email TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT NOT NULL,
                    ip TEXT NOT NULL,
                    status BIGINT NOT NULL,
                    at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX audit_events_workspace ON audit_events(workspace_id, at)",
                // Pending invitations: the token is kept only as its SHA-256.
                """
                CREATE TABLE workspace_invitations (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                    email TEXT NOT NULL,
                    role TEXT NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE,
                    invited_by TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
            ]
        ),
        Migration(
            version: 13, name: "log marks",
            statements: [
                // How long a deployment's runtime log was at a moment: lines carry no time of their
                // own, so a line's time is that of the first mark at or past its end.
                """
                CREATE TABLE log_marks (
                    deployment_id TEXT NOT NULL,
                    log_offset BIGINT NOT NULL,
                    at BIGINT NOT NULL,
                    PRIMARY KEY (deployment_id, log_offset)
                )
                """,
            ]
        ),
        Migration(
            version: 14, name: "webhook deliveries",
            statements: [
                // Deliveries still being retried: a restarted server carries on with them.
                """
                CREATE TABLE webhook_outbox (
                    id TEXT PRIMARY KEY,
                    webhook_id TEXT NOT NULL REFERENCES project_webhooks(id) ON DELETE CASCADE,
                    event TEXT NOT NULL,
                    body TEXT NOT NULL,
                    next_attempt BIGINT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                // Each attempt's outcome, the newest few per webhook (what the API lists).
                """
                CREATE TABLE webhook_attempts (
                    delivery_id TEXT NOT NULL,
                    webhook_id TEXT NOT NULL REFERENCES project_webhooks(id) ON DELETE CASCADE,
                    event TEXT NOT NULL,
                    attempt BIGINT NOT NULL,
                    status BIGINT,
                    error TEXT,
                    at BIGINT NOT NULL,
                    PRIMARY KEY (delivery_id, attempt)
                )
                """,
                "CREATE INDEX webhook_attempts_webhook ON webhook_attempts(webhook_id, at)",
            ]
        ),
    ]

    /// The newest schema version this binary knows.
    static var latestVersion: Int { all.last?.version ?? 0 }

    /// The database's schema version: the newest migration it records, 0 when it has none (or no
    /// `schema_migrations` table at all, as in an empty database). Changes nothing.
    static func currentVersion(on db: any SQLDatabase, kind: DatabaseKind) async throws -> Int {
        let exists: Bool
        switch kind {
        case .sqlite:
            exists = try await db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").first() != nil
        case .postgres:
            exists = try await db.raw(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'"
            ).first() != nil
        }
        guard exists else { return 0 }
        let row = try await db.raw("SELECT MAX(version) AS v FROM schema_migrations").first()
        return try row?.decode(column: "v", as: Int?.self) ?? 0
    }

    /// Creates the schema of `version` on `db` (inside the caller's transaction), recording each
    /// migration as applied: a restore builds the schema its rows were read from, then `run` brings it
    /// forward.
    static func create(through version: Int, on db: any SQLDatabase) async throws {
        try await db.raw(
            "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
        ).run()
        for migration in all where migration.version <= version {
            for statement in migration.statements {
                try await db.raw(SQLQueryString(statement)).run()
            }
            try await db.raw(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: Date().millis))"
            ).run()
        }
    }

    /// Applies every migration newer than the database, each in its own transaction.
    /// Refuses to run against a database from a newer Railyard, so a downgrade cannot damage it.
    static func run(on engine: any DatabaseEngine, logger: Logger) async throws {
        try await engine.withConnection { db in
            try await db.raw(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
            ).run()
        }
        for migration in all {
            let applied = try await engine.transaction { db -> Bool in
                if engine.kind == .postgres {
                    // Several control planes may start at once against one database: one migrates, the others wait.
                    try await db.raw("SELECT pg_advisory_xact_lock(7070)").run()
                }
                let row = try await db.raw(
                    "SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)"
                ).first()
                guard row == nil else { return false }
                for statement in migration.statements {
                    try await db.raw(SQLQueryString(statement)).run()
                }
                try await db.raw(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: Date().millis))"
                ).run()
                return true
            }
            if applied {
                logger.info("applied migration", metadata: ["migration.version": "\(migration.version)", "migration.name": "\(migration.name)"])
            }
        }
        let newest = try await engine.withConnection { db in
            try await db.raw("SELECT MAX(version) AS v FROM schema_migrations").first()?.decode(column: "v", as: Int?.self)
        }
        if let newest, newest > (all.last?.version ?? 0) {
            throw StoreError.schemaTooNew(found: newest, known: all.last?.version ?? 0)
        }
    }
}

/// Failures of the store that are not a user's doing.
struct StoreError: Error, CustomStringConvertible {
    let description: String

    static func schemaTooNew(found: Int, known: Int) -> StoreError {
        StoreError(
            description: "the database is at schema version \(found) but this Railyard knows only up to \(known); run the newer Railyard or restore a backup"
        )
    }
}

extension Date {
    /// Unix time in milliseconds, as the schema stores timestamps.
    var millis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    init(millis: Int64) { self.init(timeIntervalSince1970: Double(millis) / 1000) }
}
