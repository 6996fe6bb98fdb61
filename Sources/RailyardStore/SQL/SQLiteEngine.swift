import Glibc
import Logging
import NIOPosix
import SQLKit
import SQLiteKit

/// SQLite through one connection, used by one caller at a time.
///
/// SQLite serialises writers anyway; one connection avoids SQLITE_BUSY between our own connections
/// and keeps transactions simple. WAL mode lets readers of the file (backups) work alongside, and
/// `synchronous=FULL` makes every answered commit durable even across power loss, not just a crash.
final class SQLiteEngine: DatabaseEngine {
    let kind = DatabaseKind.sqlite
    private let connection: SQLiteConnection
    private let mutex = AsyncMutex()
    private let logger: Logger

    private init(connection: SQLiteConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Opens (creating if needed) the database file and sets the pragmas every connection needs.
    static func open(path: String, logger: Logger) async throws -> SQLiteEngine {
        // Create the file owner-only before SQLite does (it would use 0644); SQLite gives the -wal and
        // -shm files the database file's mode, so they stay private too.
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd >= 0 { Glibc.close(fd) }
        let connection = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: .singleton, logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.any()
        )
        let db = connection.sql(queryLogLevel: nil)
        do {
            for pragma in [
                "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON",
                "PRAGMA busy_timeout = 10000",
            ] {
                try await db.raw(SQLQueryString(pragma)).run()
            }
        } catch {
            try? await connection.close()
            throw error
        }
        return SQLiteEngine(connection: connection, logger: logger)
    }

    func withConnection<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await mutex.withLock { try await body(connection.sql(queryLogLevel: nil)) }
    }

    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        // IMMEDIATE takes the write lock up front, so a reader never has to upgrade mid-transaction.
        try await mutex.withLock {
            try await runTransaction(on: connection.sql(queryLogLevel: nil), begin: "BEGIN IMMEDIATE", body)
        }
    }

    func snapshotTransaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        // A deferred transaction in WAL mode reads one snapshot from its first SELECT and never takes
        // the write lock, so the server writing through its own connection is not held up.
        try await mutex.withLock {
            try await runTransaction(on: connection.sql(queryLogLevel: nil), begin: "BEGIN DEFERRED", body)
        }
    }

    func shutdown() async throws {
        try await mutex.withLock { try await connection.close() }
    }
}
