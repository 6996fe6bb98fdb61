import Foundation
import Logging
import RailyardCore
import SQLKit
import Synchronization

/// The one `Store` implementation: SQL that runs unchanged on SQLite and on PostgreSQL.
public final class SQLStore: Store {
    let engine: any DatabaseEngine
    let sealer: VariableSealer
    let logger: Logger
    let deploymentObservers = DeploymentObservers()

    /// Which engine this store runs on.
    public var kind: DatabaseKind { engine.kind }

    private init(engine: any DatabaseEngine, sealer: VariableSealer, logger: Logger) {
        self.engine = engine
        self.sealer = sealer
        self.logger = logger
    }

    /// Connects to the database and brings its schema up to date.
    public static func open(_ location: StoreLocation, secret: ServerSecret, logger: Logger) async throws -> SQLStore {
        if case .sqlite(let path) = location {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        let engine = try await connect(location, logger: logger)
        do {
            try await Migrations.run(on: engine, logger: logger)
        } catch {
            try? await engine.shutdown()
            throw error
        }
        logger.info("store ready", metadata: ["store.location": "\(location.redacted)"])
        return SQLStore(engine: engine, sealer: VariableSealer(secret: secret), logger: logger)
    }

    /// The engine for `location`, connected but with its schema as it is (no migrations run).
    static func connect(_ location: StoreLocation, logger: Logger) async throws -> any DatabaseEngine {
        switch location {
        case .sqlite(let path):
            return try await SQLiteEngine.open(path: path, logger: logger)
        case .postgres(let url):
            do {
                return try await PostgresEngine.open(url: url, logger: logger)
            } catch {
                throw RailyardError(
                    .upstream,
                    "cannot connect to PostgreSQL at \(location.redacted): \(String(reflecting: error)); check --database-url and that the server is running"
                )
            }
        }
    }

    /// Closes the database connections. Runs to completion even when the calling task is cancelled
    /// (shutdown paths usually are), so the connection is never left open.
    public func close() async throws {
        let engine = self.engine
        try await Task { try await engine.shutdown() }.value
    }

    /// The engine's own consistency check: SQLite's `PRAGMA integrity_check` ("ok" when healthy);
    /// PostgreSQL checks itself, so there it reports "ok" once a query round-trips.
    public func integrityCheck() async throws -> String {
        try await engine.withConnection { db in
            switch self.engine.kind {
            case .sqlite:
                let rows = try await db.raw("PRAGMA integrity_check").all()
                return try rows.map { try $0.decode(column: "integrity_check", as: String.self) }.joined(separator: "\n")
            case .postgres:
                try await db.raw("SELECT 1").run()
                return "ok"
            }
        }
    }

    /// A new identifier for a row.
    static func newID() -> String { UUID().uuidString.lowercased() }

    /// Runs a write, turning a unique-constraint failure (a race past the existence checks) into a conflict.
    func write<T: Sendable>(
        conflict message: @autoclosure () -> String, field: String? = nil,
        _ body: @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        do {
            return try await engine.transaction(body)
        } catch let error as RailyardError {
            throw error
        } catch {
            if Self.isUniqueViolation(error) { throw RailyardError(.conflict, message(), field: field) }
            throw error
        }
    }

    static func isUniqueViolation(_ error: any Error) -> Bool {
        let text = String(reflecting: error)
        return text.contains("23505") || text.contains("UNIQUE constraint failed")
    }
}
