import SQLKit

/// The two engines the store runs on, reduced to what it needs: a connection to run statements on,
/// and a transaction that commits only when its body returns.
protocol DatabaseEngine: Sendable {
    /// Which engine this is, for the few statements that differ.
    var kind: DatabaseKind { get }
    /// Runs `body` on one connection, outside a transaction.
    func withConnection<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Runs `body` in a read-only transaction that sees one snapshot of the whole database for all of
    /// its statements, without blocking writers (a backup of a running server).
    func snapshotTransaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Closes connections; the engine is unusable afterwards.
    func shutdown() async throws
}

/// The SQL engine behind a store.
public enum DatabaseKind: String, Sendable {
    case sqlite
    case postgres
}

extension DatabaseEngine {
    /// Wraps `body` in BEGIN / COMMIT on `db`, rolling back when it throws.
    func runTransaction<T: Sendable>(
        on db: any SQLDatabase, begin: String, _ body: @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await db.raw(SQLQueryString(begin)).run()
        do {
            let result = try await body(db)
            try await db.raw("COMMIT").run()
            return result
        } catch {
            try? await db.raw("ROLLBACK").run()
            throw error
        }
    }
}
