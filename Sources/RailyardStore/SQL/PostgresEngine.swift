import Logging
import PostgresKit
import SQLKit

/// PostgreSQL through PostgresNIO's connection pool; each transaction holds one pooled connection.
final class PostgresEngine: DatabaseEngine {
    let kind = DatabaseKind.postgres
    private let client: PostgresClient
    private let runTask: Task<Void, Never>

    private init(client: PostgresClient, runTask: Task<Void, Never>) {
        self.client = client
        self.runTask = runTask
    }

    /// Starts a pool for `url` and checks that the server answers.
    static func open(url: String, logger: Logger) async throws -> PostgresEngine {
        let parsed = try PostgresURL(url)
        var configuration = PostgresClient.Configuration(
            host: parsed.host, port: parsed.port, username: parsed.user, password: parsed.password,
            database: parsed.database, tls: parsed.requireTLS ? .require(.makeClientConfiguration()) : .disable
        )
        configuration.options.maximumConnections = 8
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let runTask = Task { await client.run() }
        let engine = PostgresEngine(client: client, runTask: runTask)
        do {
            try await engine.withConnection { db in try await db.raw("SELECT 1").run() }
        } catch {
            runTask.cancel()
            throw error
        }
        return engine
    }

    func withConnection<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await body(connection.sql(queryLogLevel: nil))
        }
    }

    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await runTransaction(on: connection.sql(queryLogLevel: nil), begin: "BEGIN", body)
        }
    }

    func snapshotTransaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        // REPEATABLE READ keeps the first statement's snapshot for every later one (READ COMMITTED,
        // the default, would take a new one per statement).
        try await client.withConnection { connection in
            try await runTransaction(
                on: connection.sql(queryLogLevel: nil), begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body
            )
        }
    }

    func shutdown() async throws {
        runTask.cancel()
        await runTask.value
    }
}
