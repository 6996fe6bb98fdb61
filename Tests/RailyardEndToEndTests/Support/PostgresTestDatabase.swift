import Foundation
import Testing

/// A throwaway database on the PostgreSQL server named by `RAILYARD_TEST_POSTGRES_URL` (a superuser
/// URL), created with `psql` and dropped afterwards; `pg_dump` reads it back.
struct PostgresTestDatabase: Sendable {
    /// The variable naming the test server.
    static let variable = "RAILYARD_TEST_POSTGRES_URL"

    /// The superuser URL, if configured.
    static var adminURL: String? {
        ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether this run is in CI, where a missing PostgreSQL is a failure rather than a skip.
    static var isCI: Bool {
        ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } ?? false
    }

    /// The trait of an end-to-end test on PostgreSQL: it runs where the server is configured, and
    /// always in CI (where ``withDatabase(_:)`` then fails it).
    static var configured: ConditionTrait {
        .enabled(if: adminURL != nil || isCI, "set \(variable) to a PostgreSQL superuser URL to run this test")
    }

    /// Runs `body` with a fresh database and drops it afterwards, whether `body` threw or not. Without
    /// a configured server (in CI) it records an issue instead.
    static func withDatabase(_ body: (PostgresTestDatabase) async throws -> Void) async throws {
        guard let adminURL else {
            Issue.record("\(variable) is not set, and CI is: the PostgreSQL end-to-end test must run in CI")
            return
        }
        let database = try await create(adminURL: adminURL)
        do {
            try await body(database)
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
    }

    /// Why a PostgreSQL tool failed.
    struct ToolFailure: Error, CustomStringConvertible {
        let description: String
    }

    let adminURL: String
    let name: String
    /// The URL of the new database, for `--database-url`.
    let url: String

    /// Creates `railyard_e2e_<random>` on the server.
    static func create(adminURL: String) async throws -> PostgresTestDatabase {
        let name = "railyard_e2e_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        guard var components = URLComponents(string: adminURL) else {
            throw ToolFailure(description: "\(variable) is not a URL")
        }
        components.path = "/" + name
        guard let url = components.string else { throw ToolFailure(description: "cannot build the database URL") }
        _ = try await run("psql", [adminURL, "-v", "ON_ERROR_STOP=1", "-q", "-c", "CREATE DATABASE \(name)"])
        return PostgresTestDatabase(adminURL: adminURL, name: name, url: url)
    }

    /// The database as `pg_dump` prints it (schema and data).
    func dump() async throws -> Data {
        try await Self.run("pg_dump", ["--dbname=\(url)", "--no-owner"])
    }

    /// Drops the database, disconnecting anyone still on it.
    func drop() async {
        _ = try? await Self.run(
            "psql", [adminURL, "-v", "ON_ERROR_STOP=1", "-q", "-c", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"]
        )
    }

    /// Runs a PostgreSQL client tool found on PATH; its stdout, or an error with its stderr.
    static func run(_ tool: String, _ arguments: [String]) async throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("railyard-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("out")
        let errURL = directory.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        guard await ChildProcess.waitForExit(process, timeout: .seconds(120)) else {
            process.terminate()
            throw ToolFailure(description: "\(tool) did not finish within 120 s")
        }
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
            throw ToolFailure(description: "\(tool) failed (exit \(process.terminationStatus)): \(message)")
        }
        return try Data(contentsOf: outURL)
    }
}
