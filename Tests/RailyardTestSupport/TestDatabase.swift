import Crypto
import Foundation
import Logging
import PostgresKit
import RailyardStore

/// The engines the store's suite runs on; tests take it as a parameter to run once per engine.
public enum TestEngine: String, CaseIterable, Sendable {
    case sqlite
    case postgres

}

/// A fresh, empty database for one test: a temporary SQLite file, or a new database on the real
/// PostgreSQL server that `scripts/test` starts (its URL in `RAILYARD_TEST_POSTGRES_URL`).
public struct TestDatabase: Sendable {
    public let location: StoreLocation
    public let directory: URL
    let postgresName: String?

    /// The admin URL of the test PostgreSQL server. Missing is an error, never a skip: the suite must
    /// prove both engines.
    public static func postgresAdminURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["RAILYARD_TEST_POSTGRES_URL"], !url.isEmpty else {
            throw TestSetupError(
                "RAILYARD_TEST_POSTGRES_URL is not set: run the suite with scripts/test, which installs and starts PostgreSQL"
            )
        }
        return url
    }

    /// Creates the database.
    public static func make(_ engine: TestEngine) async throws -> TestDatabase {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("railyard-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        switch engine {
        case .sqlite:
            return TestDatabase(
                location: .sqlite(path: directory.appendingPathComponent("railyard.db").path), directory: directory, postgresName: nil
            )
        case .postgres:
            let admin = try postgresAdminURL()
            let name = "railyard_test_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
            try await runAdmin(admin, "CREATE DATABASE \(name)")
            var components = URLComponents(string: admin)!
            components.path = "/\(name)"
            return TestDatabase(location: .postgres(url: components.string!), directory: directory, postgresName: name)
        }
    }

    /// Opens a store on this database with a fresh secret (or the one given).
    public func openStore(secret: ServerSecret = ServerSecret(material: SymmetricKey(size: .bits256))) async throws -> SQLStore {
        var logger = Logger(label: "railyard.test")
        logger.logLevel = .error
        return try await SQLStore.open(location, secret: secret, logger: logger)
    }

    /// Drops the database and removes the temporary directory.
    public func destroy() async {
        if let postgresName, let admin = try? Self.postgresAdminURL() {
            try? await Self.runAdmin(admin, "DROP DATABASE IF EXISTS \(postgresName) WITH (FORCE)")
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// The PostgreSQL database name, when the engine is PostgreSQL.
    public var databaseName: String? { postgresName }

    static func runAdmin(_ url: String, _ sql: String) async throws {
        let configuration = try SQLPostgresConfiguration(url: url)
        let connection = try await PostgresConnection.connect(
            configuration: configuration.coreConfiguration, id: 1, logger: Logger(label: "railyard.test.admin")
        )
        defer { Task { try? await connection.close() } }
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "railyard.test.admin"))
    }
}

/// The test environment lacks something the tests need; the message says how to provide it.
public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
